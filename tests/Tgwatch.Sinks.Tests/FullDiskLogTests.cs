using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.Sinks.Tests.Sqlite;
using Tgwatch.Sqlite;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests;

/// <summary>
/// A data directory on a disk that is full for 40 s (a real tmpfs, a fake clock with the default retry delays): the
/// state store and the JSONL sink wait it out, and the log says so in a few lines, not a stack trace per retry.
/// </summary>
public sealed class FullDiskLogTests
{
    private const int Count = 100;
    private const int Before = 20;
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(50);

    /// <param name="sinkOnDisk">
    /// True: the JSONL sink and the state store share the full disk (the JSONL write fails first). False: only the state
    /// store is on it (its commits fail).
    /// </param>
    /// <param name="lines">
    /// At most this many log lines (stack-trace lines included) from the disk filling up to the end of the run: the
    /// figures measured. A line when a sink, the state store, the JSONL file starts failing, one when each works again,
    /// one for the lines the JSONL sink found written but not recorded. (Before: a stack trace at every retry.) The JSONL
    /// sink's ledger is written in the store's commit: a full disk under the store fails the store, not the sink.
    /// </param>
    [Theory]
    [InlineData(true, 7)]
    [InlineData(false, 5)]
    public async Task FullDiskFor40s_NothingLost_AFewLinesWithoutStackTraces(bool sinkOnDisk, int lines)
    {
        using var disk = SmallDisk.Mount(4 * 1024 * 1024);
        var time = new FakeTimeProvider(Start);
        using var logging = new TestLogging();
        var statePath = Path.Combine(disk.Directory, "tgwatch.db");
        var other = Some.TempDirectory("tgwatch-full-disk");
        await using var store = await SqliteStateStore.OpenAsync(statePath, time, default);
        var jsonlPath = Path.Combine(sinkOnDisk ? disk.Directory : other, "out.jsonl");
        await using var sink = new JsonlSink(new JsonlSinkOptions { Path = jsonlPath }, store.SinkLedger, logging.For<JsonlSink>());
        var messages = Enumerable.Range(1, Count).Select(i => Msg.New(-100, i, $"message {i} " + new string('x', 600))).ToList();
        var connector = ScriptedConnector.Of(messages);
        connector.EndWhenDone = false;
        var full = new TaskCompletionSource();
        var fillAt = 0;
        connector.BeforeDelivery = async (d, ct) =>
        {
            if (d.Position.Position != Before + 1) return;
            await Eventually.TrueAsync(() => connector.Committed.GetValueOrDefault("updates") == Before, "the first messages committed");
            // Empty write-ahead logs, so that the next write of the store needs new blocks of the full disk.
            using (var c = new SqliteConnection($"Data Source={statePath};Pooling=False"))
            {
                c.Open();
                using var cmd = c.CreateCommand();
                cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                cmd.ExecuteNonQuery();
            }
            disk.Fill();
            fillAt = logging.Entries.Count;
            full.SetResult();
        };
        var pipeline = new MessagePipeline(connector, [sink], store, new PipelineOptions { BatchSize = 16 }, logger: logging.For<MessagePipeline>(), time: time);
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);

        await Eventually.OnClockAsync(time, Tick, () => full.Task.IsCompleted || run.IsCompleted, "the disk filled", TimeSpan.FromMinutes(5));
        var failedAt = time.GetUtcNow();
        await Eventually.OnClockAsync(time, Tick, () => run.IsCompleted || time.GetUtcNow() - failedAt >= TimeSpan.FromSeconds(40), "40 s of a full disk", TimeSpan.FromMinutes(5));
        Assert.False(run.IsCompleted, $"the run ended: {run.Exception}");
        Assert.True(pipeline.Stats.SinkRetries > 3 || logging.Entries.Any(e => e.EventId.Id is 3010 or 3013), "the disk was not full: nothing failed");
        Assert.Equal(Before, connector.Committed["updates"]);
        Assert.Equal(0, pipeline.Stats.DeadLetters);

        disk.Free();
        await Eventually.OnClockAsync(time, Tick, () => connector.Committed.GetValueOrDefault("updates") == Count || run.IsCompleted, "every message committed", TimeSpan.FromMinutes(5));
        await stop.CancelAsync();
        await Eventually.OnClockAsync(time, Tick, () => run.IsCompleted, "the end of the run", TimeSpan.FromMinutes(1));
        await run;

        Assert.Equal(0, pipeline.Stats.DeadLetters);
        Assert.Equal(0, (await store.GetStatusAsync(default)).DeadLetters);
        Assert.Equal(Count, File.ReadAllLines(jsonlPath).Length);
        var logged = logging.Entries.Skip(fillAt).Where(e => e.Level >= LogLevel.Information).ToList();
        var text = string.Join("\n", logged.Select(e => $"{e.Level} {e.EventId} {e.Message}{(e.Exception is null ? "" : "\n" + e.Exception)}"));
        var count = logged.Sum(e => 1 + (e.Exception is null ? 0 : e.Exception.ToString().Split('\n').Length));
        Assert.True(count <= lines, $"{count} lines, expected at most {lines}:\n{text}");
        if (sinkOnDisk)
        {
            Assert.Single(logged, e => e.EventId.Id == 3003); // the sink is failing
            Assert.Single(logged, e => e.EventId.Id == 3004); // the sink works again
        }
        else
        {
            Assert.DoesNotContain(logged, e => e.EventId.Id == 3003); // the sink's file is not on the full disk
            Assert.Single(logged, e => e.EventId.Id == 3010); // the state store is failing
            Assert.Single(logged, e => e.EventId.Id == 3023); // the state store works again
        }
        Assert.DoesNotContain(logged, e => e.Exception is not null);
        Assert.DoesNotContain("Bug", text, StringComparison.Ordinal);
        Directory.Delete(other, recursive: true);
    }
}
