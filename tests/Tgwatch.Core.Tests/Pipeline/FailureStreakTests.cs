using Microsoft.Extensions.Time.Testing;
using Tgwatch.Pipeline;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>The lines of a stage that keeps failing: one at the start, a counted summary at most once a minute, one at the end.</summary>
public sealed class FailureStreakTests
{
    [Fact]
    public void AFailureOfFiveMinutes_OneStartLine_FourSummaries_OneEnd_WithTheCounts()
    {
        var time = new FakeTimeProvider();
        var streak = new FailureStreak(time);
        Assert.False(streak.Succeeded(out _));

        var steps = new List<(FailureStreak.Step Step, int Attempts, TimeSpan Duration)>();
        for (var i = 0; i < 30; i++) // an attempt every 10 s for 5 minutes
        {
            steps.Add((streak.Failed(out var since), since.Attempts, since.Duration));
            time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Equal(FailureStreak.Step.Started, steps[0].Step);
        var summaries = steps.Where(s => s.Step == FailureStreak.Step.Summary).ToList();
        Assert.Equal(4, summaries.Count);
        Assert.All(summaries, s => Assert.Equal((6, TimeSpan.FromSeconds(60)), (s.Attempts, s.Duration)));
        Assert.Equal(25, steps.Count(s => s.Step == FailureStreak.Step.Quiet));
        Assert.True(streak.Succeeded(out var end));
        Assert.Equal((30, TimeSpan.FromSeconds(300)), (end.Attempts, end.Duration));
        Assert.False(streak.Succeeded(out _));
        Assert.Equal(FailureStreak.Step.Started, streak.Failed(out _));
    }
}
