using Microsoft.Extensions.Time.Testing;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>The state store's calls: a failure said once, its end once, whatever else works meanwhile.</summary>
public sealed class StoreCallsTests
{
    [Fact]
    public async Task CommitsFailingOnAFullDisk_WhileLookUpsWork_AreOneFailingLineAndOneWorksAgainLine()
    {
        var time = new FakeTimeProvider(SomeMessage.Date);
        using var logs = new CollectingLoggerProvider();
        var calls = new StoreCalls(new InMemoryStateStore(), PipelineFixture.FastOptions(), logs.CreateLogger("store"), time);
        var attempts = 0;
        // ENOSPC (28), as .NET gives it on Linux: a full disk.
        var commit = calls.RunAsync((_, _) => Interlocked.Increment(ref attempts) <= 6 ? throw new IOException("No space left on device", 28) : ValueTask.CompletedTask, default).AsTask();

        // The retries' delays run on the fake clock.
        await Eventually.OnClockAsync(time, TimeSpan.FromMilliseconds(5), async () =>
        {
            var done = commit.IsCompleted;
            // Look-ups go on meanwhile, and work: they say nothing about the commits.
            Assert.Equal(1, await calls.ReadAsync((_, _) => ValueTask.FromResult(1), default));
            return done;
        }, "the commit, once the disk has room", TimeSpan.FromMinutes(1));
        await commit;

        var lines = logs.Entries.Where(e => e.Category == "store").Select(e => e.Message).ToList();
        Assert.Single(lines, l => l.StartsWith("State store failing", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("State store works again", StringComparison.Ordinal));
    }
}
