using Microsoft.Data.Sqlite;
using Tgwatch.Sinks.Webhook;
using Tgwatch.Sqlite;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Webhook;

/// <summary>The webhook's outbox in a state store that cannot be written while a batch is on its way.</summary>
public sealed class WebhookOutboxFullDiskTests
{
    [Fact]
    public async Task OutboxInAStoreLockedByAnotherProgram_OneLineWhenItFails_OneWhenItWorksAgain_TheBatchLeavesTheOutbox()
    {
        var statePath = Path.Combine(Some.TempDirectory("tgwatch-outbox-locked"), "tgwatch.db");
        using var logs = new TestLogging();
        using var answer = new ManualResetEventSlim();
        await using var server = WebhookServer.Start(_ =>
        {
            answer.Wait(TimeSpan.FromSeconds(30)); // holds the first request until the store is locked
            return WebhookAnswer.Ok;
        });
        var store = await SqliteStateStore.OpenAsync(statePath, TimeProvider.System, new SqliteStateStoreOptions { BusyTimeout = TimeSpan.FromMilliseconds(200) }, default);
        await using (store)
        {
            var sink = new WebhookSink(new WebhookSinkOptions
            {
                Url = server.Url,
                MinBackoff = TimeSpan.FromMilliseconds(10),
                MaxBackoff = TimeSpan.FromMilliseconds(50),
                RequestTimeout = TimeSpan.FromSeconds(40),
                ShutdownTimeout = TimeSpan.FromSeconds(5),
            }, store, logger: logs.For<WebhookSink>());
            await using (sink)
            {
                await sink.StartAsync(default);
                await sink.WriteAsync(SomeMessage.Batch(1, 3), default);
                // Another program holds the write lock (SQLITE_BUSY, a Resource fault) while the batch is delivered.
                using var other = new SqliteConnection($"Data Source={statePath};Pooling=False");
                other.Open();
                using (var begin = other.CreateCommand())
                {
                    begin.CommandText = "BEGIN EXCLUSIVE";
                    begin.ExecuteNonQuery();
                }
                answer.Set();

                // Delivered, but not taken out of the outbox while the store is locked: said once.
                await Eventually.TrueAsync(() => server.Delivered.Count >= 1 && logs.WithId(3206).Count == 1, "the outbox's failure", TimeSpan.FromSeconds(60));
                Assert.Equal(3, CountWaiting(other));
                using (var commit = other.CreateCommand())
                {
                    commit.CommandText = "COMMIT";
                    commit.ExecuteNonQuery();
                }
                await Eventually.TrueAsync(() => logs.WithId(3212).Count == 1, "the outbox works again", TimeSpan.FromSeconds(60));
                Assert.Equal(0, await store.Outbox.CountAsync("webhook", default));
            }
        }

        var failed = Assert.Single(logs.WithId(3206));
        Assert.Null(failed.Exception);
        Assert.Contains("(Resource: SqliteException: SQLite Error 5", failed.Message, StringComparison.Ordinal);
    }

    /// <summary>Records waiting, read through the connection that holds the lock.</summary>
    private static long CountWaiting(SqliteConnection holder)
    {
        using var count = holder.CreateCommand();
        count.CommandText = "SELECT count(*) FROM outbox";
        return (long)count.ExecuteScalar()!;
    }
}
