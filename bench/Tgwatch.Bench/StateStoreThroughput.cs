using System.Diagnostics;
using Tgwatch.Connectors;
using Tgwatch.Sqlite;
using Tgwatch.Storage;

namespace Tgwatch.Bench;

/// <summary>
/// The state store's hot paths: commits of batches of processed keys (one caller, then eight at once
/// sharing the store) and a dedup lookup of thousands of keys.
/// </summary>
internal static class StateStoreThroughput
{
    public static async Task<int> RunAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"tgwatch-bench-store-{Environment.ProcessId}");
        try
        {
            foreach (var (callers, batch) in new[] { (1, 100), (1, 1_000), (8, 100), (8, 1_000) })
            {
                var path = Path.Combine(dir, $"store-{callers}-{batch}.db");
                await using var store = await SqliteStateStore.OpenAsync(path, TimeProvider.System, default);
                const int Keys = 200_000;
                var perCaller = Keys / callers / batch;
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
                {
                    for (var b = 0; b < perCaller; b++)
                    {
                        var processed = new ProcessedMessage[batch];
                        for (var i = 0; i < batch; i++)
                        {
                            var id = (long)b * batch + i;
                            processed[i] = new ProcessedMessage($"bot1:{-1000 - c}:{id}:new:", -1000 - c, "chat", id, DateTimeOffset.UtcNow);
                        }
                        await store.CommitAsync(new StoreCommit("bot1", "botapi", [new Checkpoint($"chat:{c}", b)], processed, DateTimeOffset.UtcNow), default);
                    }
                })));
                var commits = clock.Elapsed;
                var lookup = Enumerable.Range(0, 5_000).Select(i => $"bot1:-1000:{i * 7}:new:").ToArray();
                clock.Restart();
                const int Lookups = 20;
                for (var i = 0; i < Lookups; i++) await store.FindProcessedAsync(lookup, [], default);
                var find = clock.Elapsed / Lookups;
                Console.WriteLine($"{callers} caller(s), batches of {batch,5}: {Keys / commits.TotalSeconds,9:N0} keys/s committed ({Keys / batch / commits.TotalSeconds,6:N0} commits/s); FindProcessed of 5,000 keys {find.TotalMilliseconds:F1} ms");
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        return 0;
    }
}
