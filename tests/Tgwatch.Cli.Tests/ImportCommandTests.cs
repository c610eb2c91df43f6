using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Tgwatch.Messages;
using Tgwatch.Sqlite;
using Tgwatch.Storage;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary><c>tgwatch import</c>, <c>status</c> and <c>deadletters</c> as a user runs them, on real files.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ImportCommandTests(ITestOutputHelper output)
{
    private readonly string _dir = Some.TempDirectory("tgwatch-import");

    private string P(string name) => Path.Combine(_dir, name);

    private static List<TgMessage> Archive(int count, int chats = 4) =>
        [.. Enumerable.Range(1, count).Select(i => SomeMessage.New(1 + (i - 1) / chats, $"message {i} «ж» \"q\"", chatId: -1000 - (i % chats)))];

    private string WriteArchive(IReadOnlyList<TgMessage> messages, params (int At, string Line)[] extra)
    {
        var lines = messages.Select(m => TgMessageJson.ToJson(m)).ToList();
        foreach (var (at, line) in extra.OrderByDescending(e => e.At)) lines.Insert(at, line);
        File.WriteAllLines(P("archive.jsonl"), lines);
        return P("archive.jsonl");
    }

    private static List<TgMessage> ReadJsonl(string path) =>
        [.. File.ReadAllLines(path).Select(l => TgMessageJson.Parse(l))];

    private static long SqliteCount(string path, string sql = "SELECT count(*) FROM messages")
    {
        using var c = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }

    [Fact]
    public async Task Import_WritesEveryRecordOnceToJsonlAndSqlite_AndASecondRunAddsNothing()
    {
        var messages = Archive(500);
        var archive = WriteArchive(messages, (10, "{broken"), (300, "[]"));
        string[] args = ["import", archive, "--sink", $"jsonl:{P("out.jsonl")}", "--sink", $"sqlite:{P("out.db")}", "--state", P("state.db")];

        var first = await Tgwatch.RunAsync(null, args);
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("[tgwatch] import done: 500 records read, 500 written, 0 already there, 0 filtered out, 2 bad lines, 0 dead letters", first.Stderr);
        var written = ReadJsonl(P("out.jsonl"));
        Assert.Equal(messages.Select(m => m.Key).Order(), written.Select(m => m.Key).Order());
        foreach (var chat in messages.GroupBy(m => m.Chat.Id))
            Assert.Equal(chat.Select(m => m.MessageId), written.Where(w => w.Chat.Id == chat.Key).Select(w => w.MessageId));
        Assert.Equal(messages.Select(m => TgMessageJson.ToJson(m)).Order(), File.ReadAllLines(P("out.jsonl")).Order());
        Assert.Equal(500, SqliteCount(P("out.db")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(P("out.jsonl")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(P("state.db")));

        var before = File.ReadAllBytes(P("out.jsonl"));
        var second = await Tgwatch.RunAsync(null, args);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("0 records read, 0 written", second.Stderr);
        Assert.Equal(before, File.ReadAllBytes(P("out.jsonl")));

        // The same archive under another account name: every record read again, all recognised as written.
        var third = await Tgwatch.RunAsync(null, [.. args, "--account", "again"]);
        Assert.Contains("500 records read, 0 written, 500 already there", third.Stderr);
        Assert.Equal(before, File.ReadAllBytes(P("out.jsonl")));
        Assert.Equal(500, SqliteCount(P("out.db")));
    }

    private string WriteFile(string name, IEnumerable<TgMessage> messages)
    {
        File.WriteAllLines(P(name), messages.Select(m => TgMessageJson.ToJson(m)));
        return P(name);
    }

    [Fact]
    public async Task ASecondArchiveImportedIntoTheSameStateStore_IsReadWhole_ItsPositionIsItsOwn()
    {
        string[] sinks = ["--sink", $"sqlite:{P("out.db")}", "--state", P("state.db")];
        var a = WriteFile("a.jsonl", SomeMessage.Batch(1, 100, chatId: -1001));
        var b = WriteFile("b.jsonl", SomeMessage.Batch(1, 150, chatId: -1002));
        var c = WriteFile("c.jsonl", SomeMessage.Batch(1, 100, chatId: -1003));

        Assert.Contains("100 records read, 100 written", (await Tgwatch.RunAsync(null, ["import", a, .. sinks])).Stderr);
        var second = await Tgwatch.RunAsync(null, ["import", b, .. sinks]);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("150 records read, 150 written", second.Stderr);
        Assert.Contains("100 records read, 100 written", (await Tgwatch.RunAsync(null, ["import", c, .. sinks])).Stderr);
        Assert.Equal(350, SqliteCount(P("out.db")));

        // Each goes on from its own position: more lines in a are read, nothing of b again.
        File.AppendAllLines(a, SomeMessage.Batch(101, 5, chatId: -1001).Select(m => TgMessageJson.ToJson(m)));
        Assert.Contains("5 records read, 5 written", (await Tgwatch.RunAsync(null, ["import", a, .. sinks])).Stderr);
        Assert.Contains("0 records read, 0 written", (await Tgwatch.RunAsync(null, ["import", b, .. sinks])).Stderr);
        Assert.Equal(355, SqliteCount(P("out.db")));
    }

    [Fact]
    public async Task AFileThatChangedUnderItsPosition_IsSaidToHaveChanged_NotSkipped_AndRestartReadsItAgain()
    {
        string[] sinks = ["--sink", $"sqlite:{P("out.db")}", "--state", P("state.db")];
        var messages = SomeMessage.Batch(1, 100, chatId: -1001);
        var file = WriteFile("a.jsonl", messages);
        Assert.Equal(0, (await Tgwatch.RunAsync(null, ["import", file, .. sinks])).ExitCode);

        // Written again in place, shorter, with the same first line (and the same inode).
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(0);
            var lines = messages.Take(1).Concat(SomeMessage.Batch(500, 9, chatId: -1001)).Select(m => TgMessageJson.ToJson(m) + "\n");
            stream.Write(System.Text.Encoding.UTF8.GetBytes(string.Concat(lines)));
        }
        var changed = await Tgwatch.RunAsync(null, ["import", file, .. sinks]);
        Assert.Equal(2, changed.ExitCode);
        Assert.Single(changed.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains($"{file} changed since it was imported: it has 10 lines, 100 were imported from it; tgwatch import --restart reads it again from its first line (records already in the sinks are not written again)", changed.Stderr);
        Assert.Equal(100, SqliteCount(P("out.db")));

        var restart = await Tgwatch.RunAsync(null, ["import", file, "--restart", .. sinks]);
        Assert.Equal(0, restart.ExitCode);
        Assert.Contains("10 records read, 9 written, 1 already there", restart.Stderr);
        Assert.Equal(109, SqliteCount(P("out.db")));
        Assert.Contains("0 records read", (await Tgwatch.RunAsync(null, ["import", file, .. sinks])).Stderr);
    }

    [Fact]
    public async Task AFileRewrittenInPlace_WithTheSameFirstLineAndMoreLines_IsSaidToHaveChanged_NotCut()
    {
        string[] sinks = ["--sink", $"sqlite:{P("out.db")}", "--state", P("state.db")];
        var messages = SomeMessage.Batch(1, 100, chatId: -1001);
        var file = WriteFile("e.jsonl", messages);
        Assert.Equal(0, (await Tgwatch.RunAsync(null, ["import", file, .. sinks])).ExitCode);

        // The same first line, then 99 other records and 10 more: what was line 100 is another record now.
        var rewritten = messages.Take(1).Concat(SomeMessage.Batch(1, 99, chatId: -1002)).Concat(SomeMessage.Batch(1, 10, chatId: -1003));
        File.WriteAllText(file, string.Concat(rewritten.Select(m => TgMessageJson.ToJson(m) + "\n")));
        var changed = await Tgwatch.RunAsync(null, ["import", file, .. sinks]);
        Assert.Equal(2, changed.ExitCode);
        Assert.Contains($"{file} changed since it was imported: its line 100, the last one imported, is not what it was", changed.Stderr);

        var restart = await Tgwatch.RunAsync(null, ["import", file, "--restart", .. sinks]);
        Assert.Contains("110 records read, 109 written, 1 already there", restart.Stderr);
        Assert.Equal(209, SqliteCount(P("out.db")));
    }

    [Fact]
    public async Task ANameGivenAgainForAnotherFile_IsAnotherPosition_NotACutOfTheSecondFile()
    {
        string[] sinks = ["--sink", $"sqlite:{P("out.db")}", "--state", P("state.db")];
        var a = WriteFile("a.jsonl", SomeMessage.Batch(1, 100, chatId: -1001));
        var b = WriteFile("b.jsonl", SomeMessage.Batch(1, 150, chatId: -1002));
        Assert.Contains("100 records read, 100 written", (await Tgwatch.RunAsync(null, ["import", a, "--name", "daily", .. sinks])).Stderr);
        Assert.Contains("150 records read, 150 written", (await Tgwatch.RunAsync(null, ["import", b, "--name", "daily", .. sinks])).Stderr);

        // The name keeps a file's position wherever the file goes.
        File.Move(a, P("moved.jsonl"));
        File.AppendAllLines(P("moved.jsonl"), SomeMessage.Batch(101, 3, chatId: -1001).Select(m => TgMessageJson.ToJson(m)));
        Assert.Contains("3 records read, 3 written", (await Tgwatch.RunAsync(null, ["import", P("moved.jsonl"), "--name", "daily", .. sinks])).Stderr);
    }

    [Fact]
    public async Task ASinkAddedLater_GetsEveryRecordFromAnImportOfWhatTheOtherSinkWrote()
    {
        var messages = Archive(55);
        var archive = WriteArchive(messages);
        Assert.Equal(0, (await Tgwatch.RunAsync(null, "import", archive, "--sink", $"jsonl:{P("messages.jsonl")}", "--state", P("state.db"))).ExitCode);

        // The user's later idea: the same records in SQLite, from the JSONL the first sink wrote.
        var later = await Tgwatch.RunAsync(null, "import", P("messages.jsonl"), "--sink", $"sqlite:{P("new.db")}", "--state", P("state.db"));
        Assert.Equal(0, later.ExitCode);
        Assert.Contains("55 records read, 55 written, 0 already there", later.Stderr);
        Assert.Equal(55, SqliteCount(P("new.db")));

        // Both sinks together: each has everything, nothing is written twice.
        var both = await Tgwatch.RunAsync(null, "import", archive, "--restart", "--sink", $"jsonl:{P("messages.jsonl")}", "--sink", $"sqlite:{P("new.db")}", "--state", P("state.db"));
        Assert.Contains("55 records read, 0 written, 55 already there", both.Stderr);
        Assert.Equal(55, File.ReadAllLines(P("messages.jsonl")).Length);
        Assert.Equal(55, SqliteCount(P("new.db")));
    }

    [Fact]
    public async Task Status_ShowsTheCheckpointAndTheChats_AsTextAndJson()
    {
        var archive = WriteArchive(Archive(40, chats: 2));
        Assert.Equal(0, (await Tgwatch.RunAsync(null, "import", archive, "--sink", $"jsonl:{P("out.jsonl")}", "--state", P("state.db"))).ExitCode);

        var text = await Tgwatch.RunAsync(null, "status", "--state", P("state.db"));
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("processed     40 messages", text.Output);
        Assert.Matches($"file/file  {System.Text.RegularExpressions.Regex.Escape(archive)}#[0-9]+:[0-9]+:[0-9a-f]{{8}} at line 40", text.Output);
        Assert.Contains("Test chat  #20 of", text.Output);

        var json = await Tgwatch.RunAsync(null, "status", "--state", P("state.db"), "--json");
        using var doc = JsonDocument.Parse(json.Output);
        Assert.Equal(40, doc.RootElement.GetProperty("processed").GetInt64());
        Assert.Equal(2, doc.RootElement.GetProperty("chats").GetArrayLength());
        Assert.Equal(40, doc.RootElement.GetProperty("checkpoints")[0].GetProperty("position").GetInt64());
    }

    [Fact]
    public async Task DeadLetters_AreListed_AndAReplayThroughTheirSinkRemovesThem()
    {
        var jsonl = P("out.jsonl");
        var sinkName = $"jsonl:{jsonl}";
        var lost = SomeMessage.New(7, "lost once");
        await using (var store = await SqliteStateStore.OpenAsync(P("state.db"), TimeProvider.System, default))
        {
            await store.DeadLetters.AddAsync(new NewDeadLetter(lost.Key, $"sink:{sinkName}", TgMessageJson.ToJson(lost, full: true),
                Faults.FaultKind.Resource, "System.IO.IOException", "System.IO.IOException: No space left on device\n   at Somewhere()", 3, SomeMessage.Date), default);
        }

        var list = await Tgwatch.RunAsync(null, "deadletters", "list", "--state", P("state.db"));
        Assert.Equal(0, list.ExitCode);
        var line = Assert.Single(list.Lines);
        Assert.Contains($"sink:{sinkName}\t{lost.Key}\tResource after 3 attempt(s): System.IO.IOException: No space left on device\tlost once", line);

        var replay = await Tgwatch.RunAsync(null, "deadletters", "replay", "--sink", $"jsonl:{jsonl}", "--state", P("state.db"));
        Assert.Equal(0, replay.ExitCode);
        Assert.Contains("[tgwatch] replayed 1, failed again 0, skipped 0", replay.Stderr);
        Assert.Equal([lost.Key], ReadJsonl(jsonl).Select(m => m.Key));
        Assert.Empty((await Tgwatch.RunAsync(null, "deadletters", "list", "--state", P("state.db"))).Lines);
    }

    [Theory]
    [InlineData("import", "archive.jsonl")]
    [InlineData("import", "archive.jsonl", "--sink", "bogus")]
    [InlineData("import", "archive.jsonl", "--sink", "jsonl")]
    [InlineData("import", "archive.jsonl", "--sink", "webhook:ftp://x")]
    [InlineData("import", "archive.jsonl", "--sink", "console", "--chat", "news")]
    [InlineData("import", "archive.jsonl", "--sink", "console", "--log-level", "loud")]
    [InlineData("import", "missing.jsonl", "--sink", "console")]
    [InlineData("import", "archive.jsonl", "--sink", "console", "--state", "garbage.db")]
    [InlineData("status", "--state", "none.db")]
    [InlineData("deadletters", "list", "--limit", "0")]
    public async Task BadInput_GivesOneLineAndExitCode2(params string[] args)
    {
        WriteArchive(Archive(3));
        File.WriteAllText(P("garbage.db"), "this is not a database, it is a shopping list\n");
        string[] full = [.. args.Select(a => a.EndsWith(".jsonl", StringComparison.Ordinal) || a.EndsWith(".db", StringComparison.Ordinal) ? P(a) : a), "--data-dir", _dir];
        var run = await Tgwatch.RunAsync(null, full);
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("tgwatch", run.Stderr);
    }

    [Fact]
    public async Task KilledWithSigkillAgainAndAgain_TheImportLosesNothingAndDuplicatesNothing()
    {
        // The kills must land mid-import, and how fast an import runs is the machine's (the native program imports 20,000
        // records within half a second, a busy test run may look at the child's file only now and then): when an import
        // finishes before three kills landed, the whole attempt starts again from nothing with an archive twice as long.
        var random = new Random(20261125);
        for (var count = 20_000; ; count *= 2)
        {
            var dir = Directory.CreateDirectory(P($"archive-{count}")).FullName;
            if (await KillAgainAndAgainAsync(dir, count, random)) return;
            Assert.True(count < 160_000, $"an import of {count} records finished before three kills landed");
        }
    }

    /// <summary>False when an import finished before three kills landed (nothing asserted then); else every check.</summary>
    private async Task<bool> KillAgainAndAgainAsync(string dir, int count, Random random)
    {
        string In(string name) => Path.Combine(dir, name);
        var messages = Archive(count);
        var lines = messages.Select(m => TgMessageJson.ToJson(m)).ToList();
        File.WriteAllLines(In("archive.jsonl"), lines);
        string[] args = ["import", In("archive.jsonl"), "--sink", $"jsonl:{In("out.jsonl")}", "--sink", $"sqlite:{In("out.db")}", "--state", In("state.db"), "--log-level", "warn"];
        var kills = 0;
        var runs = 0;
        while (kills < 6)
        {
            runs++;
            using var process = Tgwatch.Start(args);
            process.StandardInput.Close();
            // Killed mid-import: once this run has written a random 100 KB to 1.5 MB more of records, a few hundred to a few
            // thousand (a time from the start would miss either the native program or the built one, which takes a second
            // to start).
            var killAt = Size(In("out.jsonl")) + random.Next(100_000, 1_500_000);
            var exited = false;
            while (!(exited = process.HasExited) && Size(In("out.jsonl")) < killAt)
                await Task.Delay(1); // a real wait: the child's progress is only seen in its file
            if (exited)
            {
                output.WriteLine($"{count} records: run {runs} finished before the kill: {await process.StandardError.ReadToEndAsync()}");
                if (kills < 3) return false;
                break;
            }
            process.Kill(); // SIGKILL: no drain, no flush, no goodbye
            await process.WaitForExitAsync();
            kills++;
            output.WriteLine($"{count} records: run {runs} killed: {LineCount(In("out.jsonl"))} lines in the JSONL so far");
        }
        var last = await Tgwatch.RunAsync(null, args);
        runs++;
        Assert.Equal(0, last.ExitCode);
        output.WriteLine($"final run: {last.Stderr.Trim()}");

        var written = File.ReadAllLines(In("out.jsonl"));
        var keys = written.Select(l => TgMessageJson.Parse(l).Key).ToList(); // every line whole: none torn
        var lost = messages.Select(m => m.Key).Except(keys).Count();
        var duplicates = keys.Count - keys.Distinct().Count();
        var sqliteRows = SqliteCount(In("out.db"));
        var sqliteKeys = SqliteCount(In("out.db"), "SELECT count(DISTINCT key) FROM messages");
        output.WriteLine($"messages {count}, runs {runs}, kill -9 {kills}; JSONL lines {written.Length}, lost {lost}, duplicates {duplicates}; SQLite rows {sqliteRows}");
        Assert.Equal(0, lost);
        Assert.Equal(0, duplicates);
        Assert.Equal(count, written.Length);
        Assert.Equal(count, sqliteRows);
        Assert.Equal(count, sqliteKeys);
        var status = await Tgwatch.RunAsync(null, "status", "--state", In("state.db"), "--json");
        using var doc = JsonDocument.Parse(status.Output);
        Assert.Equal(count, doc.RootElement.GetProperty("checkpoints")[0].GetProperty("position").GetInt64());
        return true;
    }

    private static long Size(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static int LineCount(string path) => File.Exists(path) ? File.ReadAllLines(path).Length : 0;
}
