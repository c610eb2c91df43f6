using System.Diagnostics;
using System.Globalization;
using Tgwatch.Messages;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// The files the sinks write, as users meet them with the real program: a file that is not the sink's, two writers on
/// one file, log rotation (moved, truncated, SIGHUP), no HOME, a umask.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SinkFileTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode PrivateDir = Private | UnixFileMode.UserExecute;
    private readonly string _dir = Some.TempDirectory("tgwatch-sinkfiles");
    private BotApiSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private string P(string name) => Path.Combine(_dir, name);

    private string[] RunArgs(params string[] sinks) =>
        ["run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(), .. sinks.SelectMany(s => new[] { "--sink", s }), "--state", P("state.db")];

    private static int Lines(string path) => File.Exists(path) ? File.ReadAllLines(path).Length : 0;

    private string Archive(int count, string? dir = null)
    {
        var path = Path.Combine(dir ?? _dir, "archive.jsonl");
        File.WriteAllLines(path, Enumerable.Range(1, count).Select(i => TgMessageJson.ToJson(SomeMessage.New(i, $"archived {i}", chatId: -1000 - (i % 3)))));
        return path;
    }

    private static void Signal(Process process, string signal) =>
        Process.Start("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();

    private static int Flock(string path)
    {
        using var flock = Process.Start(new ProcessStartInfo("flock", ["-n", path, "true"]) { RedirectStandardError = true })!;
        flock.WaitForExit();
        return flock.ExitCode;
    }

    private async Task SendAsync(long chat, params string[] texts)
    {
        foreach (var text in texts) await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = chat, Text = text });
    }

    private async Task<int> StopAsync(Process process, Task<string> stderr)
    {
        Signal(process, "TERM");
        await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        output.WriteLine(await stderr);
        return process.ExitCode;
    }

    [Fact]
    public async Task Import_IntoADeviceAPipeOrADirectory_IsExit2WithOneLine_AndDevNullKeepsItsMode()
    {
        var archive = Archive(3);
        var fifo = P("pipe");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo])) await mkfifo.WaitForExitAsync();
        Directory.CreateDirectory(P("dir"));
        var devNull = File.GetUnixFileMode("/dev/null");
        foreach (var (target, reason) in new[]
        {
            ("/dev/null", "not a regular file (a device, a pipe or a directory); give a file of its own"),
            (fifo, "not a regular file (a device, a pipe or a directory); give a file of its own"),
            (P("dir"), "a directory, not a file; give a file of its own"),
        })
        {
            var import = await Tgwatch.RunAsync(null, "import", archive, "--sink", $"jsonl:{target}", "--state", P("b.db"));
            output.WriteLine(import.Stderr);
            Assert.Equal(2, import.ExitCode);
            var line = Assert.Single(import.Stderr.TrimEnd('\n').Split('\n'));
            Assert.EndsWith(reason, line);
            Assert.StartsWith($"tgwatch import: --sink jsonl:{target}", line);
        }
        Assert.Equal(devNull, File.GetUnixFileMode("/dev/null"));
    }

    [Fact]
    public async Task Import_IntoAFileThatIsNotTheSinks_IsExit2WithOneLine_AndTheFileIsUntouched()
    {
        var archive = Archive(30);
        Assert.Equal(0, (await Tgwatch.RunAsync(null, "import", archive, "--sink", $"sqlite:{P("messages.db")}", "--state", P("a.db"))).ExitCode);
        File.WriteAllText(P("notes.txt"), "first\nsecond\nlast line without a line end");
        var database = File.ReadAllBytes(P("messages.db"));
        var notes = File.ReadAllBytes(P("notes.txt"));

        foreach (var (file, before) in new[] { (P("messages.db"), database), (P("notes.txt"), notes) })
        {
            var import = await Tgwatch.RunAsync(null, "import", archive, "--sink", $"jsonl:{file}", "--state", P("b.db"));
            output.WriteLine(import.Stderr);
            Assert.Equal(2, import.ExitCode);
            var line = Assert.Single(import.Stderr.TrimEnd('\n').Split('\n'));
            Assert.Equal($"tgwatch import: --sink jsonl:{file} cannot be opened: not a JSONL file of Tgwatch records (its first line is not a record); choose another file", line);
            Assert.Equal(before, File.ReadAllBytes(file));
            output.WriteLine($"figures: {Path.GetFileName(file)} of {before.Length} bytes refused, unchanged");
        }
    }

    [Fact]
    public async Task ARunAndAnImportWithOtherStateStores_OnOneJsonlOrSqliteFile_TheSecondWriterIsRefused()
    {
        await SendAsync(-100501, "first");
        using var run = Tgwatch.Start(RunArgs($"jsonl:{P("out.jsonl")}", $"sqlite:{P("out.db")}"));
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => Lines(P("out.jsonl")) == 1, "the run's first line", Tgwatch.Patience);
        var archive = Archive(2000);

        var jsonl = await Tgwatch.RunAsync(null, "import", archive, "--sink", $"jsonl:{P("out.jsonl")}", "--state", P("other.db"));
        var sqlite = await Tgwatch.RunAsync(null, "import", archive, "--sink", $"sqlite:{P("out.db")}", "--state", P("third.db"));

        Assert.Equal((2, $"tgwatch import: --sink jsonl:{P("out.jsonl")} cannot be opened: in use by another writer (another tgwatch run or import); one writer per file\n"), (jsonl.ExitCode, jsonl.Stderr));
        Assert.Equal((2, $"tgwatch import: --sink sqlite:{P("out.db")} cannot be opened: in use by another writer (another tgwatch run or import); one writer per file\n"), (sqlite.ExitCode, sqlite.Stderr));
        // Reading the file the run holds is welcome: an import from it into another file.
        var reader = await Tgwatch.RunAsync(null, "import", P("out.jsonl"), "--sink", $"jsonl:{P("copy.jsonl")}", "--state", P("fourth.db"));
        Assert.Equal(0, reader.ExitCode);
        Assert.Contains("[tgwatch] import done: 1 records read, 1 written", reader.Stderr);
        await SendAsync(-100501, "second");
        await Eventually.TrueAsync(() => Lines(P("out.jsonl")) == 2, "the run's second line", Tgwatch.Patience);
        Assert.Equal(0, await StopAsync(run, stderr));
        Assert.Equal(["first", "second"], File.ReadAllLines(P("out.jsonl")).Select(l => TgMessageJson.Parse(l).Text));
        output.WriteLine("figures: imports of 2,000 records into the run's JSONL and SQLite files refused (exit 2), the run's 2 lines intact");
    }

    [Fact]
    public async Task Run_LogrotateMovesTheFileAndSendsSighup_TheRunGoesOnInTheNewFile_HoldingItsLock()
    {
        await SendAsync(-100502, "one", "two", "three");
        using var run = Tgwatch.Start(RunArgs($"jsonl:{P("out.jsonl")}", $"sqlite:{P("out.db")}"));
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => Lines(P("out.jsonl")) == 3, "three lines", Tgwatch.Patience);
        // The sinks write in parallel: the database has its three rows too before it is moved.
        await Eventually.TrueAsync(() => Texts(P("out.db"), alone: false).Count == 3, "three rows", Tgwatch.Patience);
        File.Move(P("out.jsonl"), P("out.jsonl.1"));
        File.Move(P("out.db"), P("out.db.1"));

        Signal(run, "HUP");
        await Eventually.TrueAsync(() => File.Exists(P("out.jsonl")) && Flock(P("out.jsonl")) == 1, "the sink to hold the new file", Tgwatch.Patience);
        await Eventually.TrueAsync(() => File.Exists(P("out.db")) && Flock(P("out.db")) == 1, "the sqlite sink to hold the new database", Tgwatch.Patience);
        Assert.Equal(0, Flock(P("out.jsonl.1")));
        await SendAsync(-100502, "four", "five");
        await Eventually.TrueAsync(() => Lines(P("out.jsonl")) == 2, "two lines in the new file", Tgwatch.Patience);

        Assert.Equal(0, await StopAsync(run, stderr));
        Assert.Equal(["one", "two", "three"], File.ReadAllLines(P("out.jsonl.1")).Select(l => TgMessageJson.Parse(l).Text));
        Assert.Equal(["four", "five"], File.ReadAllLines(P("out.jsonl")).Select(l => TgMessageJson.Parse(l).Text));
        Assert.Equal(Private, File.GetUnixFileMode(P("out.jsonl")));
        // The rotated database holds its rows itself (its write-ahead log, which a move leaves behind, was folded in).
        Assert.Equal(["one", "three", "two"], Texts(P("out.db.1")));
        Assert.Equal(["five", "four"], Texts(P("out.db")));
        output.WriteLine($"figures: rotated file {Lines(P("out.jsonl.1"))} lines, new file {Lines(P("out.jsonl"))} lines, exit code {run.ExitCode}");
    }

    /// <summary>The texts in a database file read alone (as a backup or a copy is: no write-ahead log beside it), or read where it is.</summary>
    private static List<string> Texts(string database, bool alone = true)
    {
        var copy = alone ? database + ".copy" : database;
        if (alone) File.Copy(database, copy, overwrite: true);
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={copy};Pooling=False");
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = "SELECT text FROM messages ORDER BY text";
        using var r = command.ExecuteReader();
        var texts = new List<string>();
        while (r.Read()) texts.Add(r.GetString(0));
        return texts;
    }

    [Fact]
    public async Task Run_SqliteFileMovedWithoutSighup_TheNextBatchGoesToTheNewFile_AndTheMovedOneKeepsItsRows()
    {
        await SendAsync(-100505, "one", "two");
        using var run = Tgwatch.Start(RunArgs($"jsonl:{P("out.jsonl")}", $"sqlite:{P("out.db")}"));
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => Lines(P("out.jsonl")) == 2, "two lines", Tgwatch.Patience);
        // The sinks write in parallel: the database has its two rows too before it is moved.
        await Eventually.TrueAsync(() => Texts(P("out.db"), alone: false).Count == 2, "two rows", Tgwatch.Patience);
        File.Move(P("out.db"), P("out.db.1"));
        await SendAsync(-100505, "three");
        await Eventually.TrueAsync(() => Lines(P("out.jsonl")) == 3, "three lines", Tgwatch.Patience);
        // The new database exists a moment before its table does.
        await Eventually.TrueAsync(() => File.Exists(P("out.db")) && RowsOrNone(P("out.db")) == 1, "the third row in a new database at the path", Tgwatch.Patience);
        // Killed, not stopped: nothing is left to a clean close.
        run.Kill();
        await run.WaitForExitAsync();
        _ = await stderr;

        Assert.Equal(["one", "two"], Texts(P("out.db.1")));
        Assert.Equal(["three"], Texts(P("out.db"), alone: false));
    }

    private static int RowsOrNone(string path)
    {
        try
        {
            return Texts(path, alone: false).Count;
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return -1;
        }
    }

    [Fact]
    public async Task Run_FileTruncatedWhileRunning_GoesOnAtItsStart_WithoutNulBytes()
    {
        await SendAsync(-100503, "one", "two", "three");
        using var run = Tgwatch.Start(RunArgs($"jsonl:{P("out.jsonl")}"));
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => Lines(P("out.jsonl")) == 3, "three lines", Tgwatch.Patience);
        Process.Start("truncate", ["-s", "0", P("out.jsonl")])!.WaitForExit();

        await SendAsync(-100503, "four");
        await Eventually.TrueAsync(() => File.ReadAllBytes(P("out.jsonl")).Length > 0, "a write after the truncation", Tgwatch.Patience);
        Assert.Equal(0, await StopAsync(run, stderr));

        var bytes = File.ReadAllBytes(P("out.jsonl"));
        output.WriteLine($"figures: after truncate -s 0: {bytes.Length} bytes, {bytes.Count(b => b == 0)} NUL bytes");
        Assert.DoesNotContain((byte)0, bytes);
        Assert.Equal(["four"], File.ReadAllLines(P("out.jsonl")).Select(l => TgMessageJson.Parse(l).Text));
    }

    [Fact]
    public async Task Import_Sighup_ReopensAndDoesNotStopTheImport()
    {
        // The signal must reach the import while it writes, and how fast an import runs is the machine's (the native program
        // imports 40,000 records within a second, a busy test run may look at the file only now and then): when an import
        // ended before SIGHUP reached it, the whole attempt starts again in a fresh directory with an archive twice as long.
        for (var count = 40_000; ; count *= 2)
        {
            var dir = Directory.CreateDirectory(P($"archive-{count}")).FullName;
            if (await SighupMidImportAsync(dir, count)) return;
            Assert.True(count < 320_000, $"an import of {count} records ended before SIGHUP reached it (no reopening in its log)");
        }
    }

    /// <summary>False when the import ended before SIGHUP reached it; every check on the import either way.</summary>
    private async Task<bool> SighupMidImportAsync(string dir, int count)
    {
        string In(string name) => Path.Combine(dir, name);
        var archive = Archive(count, dir);
        using var import = Tgwatch.Start("import", archive, "--sink", $"jsonl:{In("out.jsonl")}", "--state", In("state.db"));
        import.StandardInput.Close();
        var stderr = import.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => Lines(In("out.jsonl")) > 0, "the first lines", TimeSpan.FromSeconds(60));
        var atSignal = Lines(In("out.jsonl"));
        var signalled = !import.HasExited && atSignal < count;
        if (signalled) Signal(import, "HUP");
        await import.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        var log = await stderr;
        output.WriteLine($"{count} records: lines at SIGHUP: {(signalled ? atSignal : "none sent, the import had ended")}\n{log}");

        Assert.Equal(0, import.ExitCode);
        Assert.Contains($"[tgwatch] import done: {count} records read, {count} written", log);
        Assert.Equal(count, Lines(In("out.jsonl")));
        // A signal that came once the sinks were closed (the import ending) is taken without a word: not what this test is about.
        return signalled && log.Contains("SIGHUP: reopening the sinks' files", StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutHome_TheDataDirectoryIsRefusedWithOneLine_NotCreatedUnderTheCurrentDirectory()
    {
        var archive = Archive(3);
        var work = Directory.CreateDirectory(P("work")).FullName;

        var refused = await ProcessRun.RunAsync("env", ["-u", "HOME", "-u", "XDG_DATA_HOME", "-C", work, ProgramUnderTest.File, .. ProgramUnderTest.Arguments("import", archive, "--sink", "console")]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("tgwatch import: HOME is not set, so there is no default data directory: give --data-dir DIR (or --state PATH), or set HOME or XDG_DATA_HOME\n", refused.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));

        var xdg = await ProcessRun.RunAsync("env", ["-u", "HOME", "-C", work, $"XDG_DATA_HOME={P("xdg")}", ProgramUnderTest.File, .. ProgramUnderTest.Arguments("import", archive, "--sink", "console")]);
        Assert.Equal(0, xdg.ExitCode);
        Assert.True(File.Exists(P("xdg/tgwatch/tgwatch.db")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
    }

    [Fact]
    public async Task EveryDirectoryTgwatchCreates_Is0700_WhateverTheUmask()
    {
        var archive = Archive(3);
        var command = $"umask 000 && exec {Tgwatch.Shell} import '{archive}' --sink 'jsonl:{P("j1/j2/out.jsonl")}' --sink 'sqlite:{P("s1/s2/out.db")}' --data-dir '{P("d1/d2/data")}'";
        var result = await ProcessRun.RunAsync("sh", ["-c", command]);
        output.WriteLine(result.Stderr);
        Assert.Equal(0, result.ExitCode);

        foreach (var dir in new[] { "j1", "j1/j2", "s1", "s1/s2", "d1", "d1/d2", "d1/d2/data" })
            Assert.Equal((dir, PrivateDir), (dir, File.GetUnixFileMode(P(dir))));
        foreach (var file in new[] { "j1/j2/out.jsonl", "s1/s2/out.db", "d1/d2/data/tgwatch.db" })
            Assert.Equal((file, Private), (file, File.GetUnixFileMode(P(file))));
    }
}
