using System.Diagnostics;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.Sqlite;
using Tgwatch.Storage;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Sinks.Tests.Jsonl;

/// <summary>
/// A JSONL sink on the SQLite state store, in a child process killed with SIGKILL while its batch waits for the commit (another
/// sink of the run retries its write of the batch), its file moved away by logrotate (the default <c>create</c>, no SIGHUP)
/// meanwhile. The next run gets the uncommitted messages again: they are in the moved file already and must not be written twice.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class JsonlKillRotationTests(ITestOutputHelper output)
{
    private static readonly string Child = Repo.Output("tests/Tgwatch.StateStoreChild", "Tgwatch.StateStoreChild.dll");

    [Fact]
    public async Task KilledWhileABatchWaitsForItsCommit_FileRotatedMeanwhile_TheRedeliveredMessagesAreNotWrittenTwice()
    {
        var dir = Some.TempDirectory("tgwatch-kill-rotate");
        var (db, jsonl, rotated) = (Path.Combine(dir, "state.db"), Path.Combine(dir, "out.jsonl"), Path.Combine(dir, "out.jsonl.1"));
        using (var child = ProcessRun.Start("dotnet", [Child, "jsonl", db, jsonl], redirectStdin: false))
        {
            var stderr = child.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var said = await child.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.True(said == "written", $"child said '{said}', stderr: {(child.HasExited ? await stderr : "(running)")}");
            await Task.Delay(TimeSpan.FromSeconds(1)); // the other sink retries its write of the batch: no commit
            File.Move(jsonl, rotated); // logrotate: mv out.jsonl out.jsonl.1, no postrotate
            child.Kill(); // SIGKILL: no disposal, no flush
            await child.WaitForExitAsync();
            Assert.Equal(137, child.ExitCode);
        }

        // The next run: the store's checkpoint is at 3, so 4 and 5 come again.
        await using (var store = await SqliteStateStore.OpenAsync(db, TimeProvider.System, CancellationToken.None))
        {
            var checkpoint = (await store.LoadCheckpointsAsync("child", "test", CancellationToken.None)).GetValueOrDefault("updates");
            Assert.Equal(3, checkpoint);
            await using var sink = new JsonlSink(new JsonlSinkOptions { Path = jsonl }, store.SinkLedger);
            await sink.StartAsync(CancellationToken.None);
            // As the child made its messages.
            TgMessage[] again = [JsonlChild.Message(4), JsonlChild.Message(5), JsonlChild.Message(6)];
            await sink.WriteAsync(again, CancellationToken.None);
            var processed = again.Select(m => new ProcessedMessage(m.Key, m.Chat.Id, m.Chat.Title, m.MessageId, m.Date)).ToList();
            await store.CommitAsync(new StoreCommit("child", "test", [new Checkpoint("updates", 6)], processed, DateTimeOffset.UtcNow), CancellationToken.None);
        }

        var rotatedIds = Ids(rotated);
        var newIds = Ids(jsonl);
        output.WriteLine($"moved file: {string.Join(',', rotatedIds)}; new file: {string.Join(',', newIds)}");
        Assert.Equal([1, 2, 3, 4, 5], rotatedIds);
        // Each message once across the two files: only 6 is new.
        Assert.Equal([6], newIds);
        Directory.Delete(dir, recursive: true);
    }

    private static List<long> Ids(string path) =>
        [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => TgMessageJson.Parse(l).MessageId)];

}
