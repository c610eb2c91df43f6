using Microsoft.Data.Sqlite;
using Tgwatch.Sinks.Webhook;
using Tgwatch.Sqlite;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Webhook;

/// <summary>The webhook's outbox in a state store on a disk that fills up while a batch is on its way.</summary>
public sealed class WebhookOutboxFullDiskTests
{
    [Fact]
    public async Task OutboxOnAFullDisk_OneLineWhenItFails_OneWhenItWorksAgain_TheBatchLeavesTheOutbox()
    {
        using var disk = SmallDisk.Mount(2 * 1024 * 1024);
        var statePath = Path.Combine(disk.Directory, "tgwatch.db");
        using var logs = new TestLogging();
        using var answer = new ManualResetEventSlim();
        await using var server = WebhookServer.Start(_ =>
        {
            answer.Wait(TimeSpan.FromSeconds(30)); // holds the first request until the disk is full
            return WebhookAnswer.Ok;
        });
        var store = await SqliteStateStore.OpenAsync(statePath, TimeProvider.System, default);
        await using (store)
        {
            var sink = new WebhookSink(new WebhookSinkOptions
            {
                Url = server.Url,
                BaseDelay = TimeSpan.FromMilliseconds(10),
                MaxDelay = TimeSpan.FromMilliseconds(50),
                RequestTimeout = TimeSpan.FromSeconds(40),
                ShutdownTimeout = TimeSpan.FromSeconds(5),
            }, store, logger: logs.For<WebhookSink>());
            await using (sink)
            {
                await sink.StartAsync(default);
                await sink.WriteAsync(SomeMessage.Batch(1, 3), default);
                using (var c = new SqliteConnection($"Data Source={statePath};Pooling=False"))
                {
                    c.Open();
                    using var cmd = c.CreateCommand();
                    cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                    cmd.ExecuteNonQuery();
                }
                disk.Fill();
                answer.Set();

                // Delivered, but not taken out of the outbox: sent again and again while the disk is full.
                await Eventually.TrueAsync(() => server.Delivered.Count >= 10, "deliveries while the outbox cannot be written");
                Assert.Equal(3, await store.Outbox.CountAsync("webhook", default));
                disk.Free();
                await Eventually.TrueAsync(() => logs.WithId(3210).Count == 1, "the outbox works again");
                Assert.Equal(0, await store.Outbox.CountAsync("webhook", default));
            }
        }

        var failed = Assert.Single(logs.WithId(3206));
        Assert.Null(failed.Exception);
        Assert.Contains("(Resource: SqliteException: SQLite Error 13", failed.Message, StringComparison.Ordinal);
    }
}
