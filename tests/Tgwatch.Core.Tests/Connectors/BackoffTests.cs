using Tgwatch.Connectors;

namespace Tgwatch.Core.Tests.Connectors;

public sealed class BackoffTests
{
    // each wait lies in the upper half of least × 2^(attempt-1), capped at the most: never zero, never past the cap.
    [Theory]
    [InlineData(1, 500, 1000)]
    [InlineData(2, 1000, 2000)]
    [InlineData(4, 4000, 8000)]
    [InlineData(6, 15000, 30000)]
    [InlineData(1000, 15000, 30000)]
    [InlineData(0, 500, 1000)]
    public void TheWait_DoublesWithJitter_UpToTheMost(int attempt, int lowMs, int highMs)
    {
        for (var i = 0; i < 200; i++)
            Assert.InRange(Backoff.Next(attempt, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)).TotalMilliseconds, lowMs, highMs);
    }
}
