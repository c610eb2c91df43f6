using Microsoft.Data.Sqlite;
using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Sinks.Sqlite;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Sqlite;

/// <summary>
/// The SQLite sink on a disk that fills up, and on a file another program holds locked: the pipeline waits
/// until the fault clears (nothing dead-lettered, the checkpoint held before the first message not written),
/// then every message is in the sink once.
/// </summary>
public sealed class SqliteSinkResourceFaultTests
{
    private const int Count = 200;
    private const int Before = 50;

    [UnixFact]
    public void Classify_SqliteErrorsOfResources_AreResource_OthersBug()
    {
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(new SqliteException("full", 13, 13)).Kind);
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(new SqliteException("io", 10, 10 | (4 << 8))).Kind);
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(new SqliteException("busy", 5, 5)).Kind);
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(new SqliteException("locked", 6, 6)).Kind);
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(new SqliteException("readonly", 8, 8)).Kind);
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(new SqliteException("cantopen", 14, 14)).Kind);
        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(new SqliteException("is a directory", 14, 14 | (2 << 8))).Kind);
        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(new SqliteException("corrupt", 11, 11)).Kind);
        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(new SqliteException("constraint", 19, 19)).Kind);
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(new InvalidDataException("wrapper", new SqliteException("full", 13, 13))).Kind);
    }

    [UnixFact]
    public async Task FullDisk_TheSinkWaitsForSpace_NothingDeadLettered_CheckpointHeld_ThenEveryMessageOnce()
    {
        using var disk = SmallDisk.Mount(2 * 1024 * 1024);
        var path = Path.Combine(disk.Directory, "messages.db");
        await RunThroughFaultAsync(path, TimeSpan.FromSeconds(5),
            start: () =>
            {
                // An empty write-ahead log, so that the next write needs new blocks of the full disk.
                using (var c = Open(path))
                using (var cmd = c.CreateCommand())
                {
                    cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                    cmd.ExecuteNonQuery();
                }
                disk.Fill();
                return disk.Free;
            });
    }

    [UnixFact]
    public async Task LockedByAnotherConnection_TheSinkWaitsForTheLock_NothingDeadLettered_CheckpointHeld_ThenEveryMessageOnce()
    {
        var directory = Some.TempDirectory("tgwatch-sqlite-locked");
        var path = Path.Combine(directory, "messages.db");
        try
        {
            await RunThroughFaultAsync(path, TimeSpan.FromMilliseconds(20),
                start: () =>
                {
                    var holder = Open(path);
                    using (var cmd = holder.CreateCommand())
                    {
                        // Another program in the middle of a write transaction: it holds the write lock.
                        cmd.CommandText = "BEGIN IMMEDIATE";
                        cmd.ExecuteNonQuery();
                    }
                    return () =>
                    {
                        using (var cmd = holder.CreateCommand())
                        {
                            cmd.CommandText = "ROLLBACK";
                            cmd.ExecuteNonQuery();
                        }
                        holder.Dispose();
                    };
                });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Runs <see cref="Count"/> messages through a pipeline into an SQLite sink at <paramref name="path"/>; after the
    /// first <see cref="Before"/> are committed, <paramref name="start"/> starts the fault and returns how to end it.
    /// </summary>
    private static async Task RunThroughFaultAsync(string path, TimeSpan busyTimeout, Func<Action> start)
    {
        await using var sink = new SqliteMessageSink(path, busyTimeout: busyTimeout);
        await sink.StartAsync(default);
        var store = new InMemoryStateStore();
        var messages = Enumerable.Range(1, Count).Select(i => Msg.New(-100, i, $"message {i} " + new string('x', 300))).ToList();
        var connector = ScriptedConnector.Of(messages);
        connector.EndWhenDone = false;
        Action? end = null;
        connector.BeforeDelivery = async (d, ct) =>
        {
            if (d.Position.Position != Before + 1) return;
            await Eventually.TrueAsync(() => connector.Committed.GetValueOrDefault("updates") == Before, "the first messages committed");
            end = start();
        };
        var options = new PipelineOptions
        {
            MinBackoff = TimeSpan.FromMilliseconds(5),
            MaxBackoff = TimeSpan.FromMilliseconds(50),
            BatchSize = 16,
            Capacity = 64,
            DrainTimeout = TimeSpan.FromSeconds(5),
        };
        using var logging = new TestLogging();
        var pipeline = new MessagePipeline(connector, [sink], store, options, logger: logging.For<MessagePipeline>());
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);

        // Failing for a while: more attempts than the three after which a message that is a bug goes to the dead letters
        // (a locked file takes a second an attempt: Microsoft.Data.Sqlite waits at least that long for the lock).
        await Eventually.TrueAsync(() => pipeline.Stats.SinkRetries >= 6 || pipeline.Stats.DeadLetters > 0 || run.IsCompleted, "the sink retrying", TimeSpan.FromSeconds(30));
        Assert.False(run.IsCompleted, $"the run ended: {run.Exception}");
        Assert.Equal(0, pipeline.Stats.DeadLetters);
        Assert.Equal(Before, connector.Committed["updates"]);
        Assert.Empty(await store.DeadLetters.ListAsync(100, 0, default));

        end!();
        await Eventually.TrueAsync(() => connector.Committed.GetValueOrDefault("updates") == Count || run.IsCompleted, "every message committed", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, pipeline.Stats.DeadLetters);
        Assert.Empty(await store.DeadLetters.ListAsync(100, 0, default));
        Assert.Equal(Count, connector.Committed["updates"]);
        using var check = Open(path);
        using var cmd = check.CreateCommand();
        cmd.CommandText = "SELECT count(*), count(DISTINCT key) FROM messages";
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read());
        Assert.Equal(Count, r.GetInt64(0));
        Assert.Equal(Count, r.GetInt64(1));
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }
}
