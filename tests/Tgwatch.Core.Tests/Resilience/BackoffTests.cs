using Polly;
using Tgwatch.Resilience;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Resilience;

/// <summary>The one backoff: a step from the least wait doubling up to the most, each wait in the upper half of its step.</summary>
public sealed class BackoffTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(4, 16)]
    [InlineData(5, 30)]
    [InlineData(62, 30)]
    [InlineData(int.MaxValue, 30)]
    [InlineData(-1, 1)]
    public void TheStep_DoublesFromTheLeast_UpToTheMost(int attempt, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Backoff.Step(attempt, Second, 30 * Second));

    [Theory]
    [InlineData(0.0, 2000)] // half the step: never zero
    [InlineData(0.5, 3000)]
    [InlineData(0.75, 3500)]
    [InlineData(1.0, 4000)] // the whole step, never past it
    public void TheWait_FallsInTheUpperHalfOfItsStep(double random, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Backoff.Delay(2, Second, 30 * Second, random));

    [Fact]
    public void TheWait_OfTheLongestStep_StaysWithinIt() =>
        Assert.InRange(Backoff.Delay(40, Second, 30 * Second, 0.999_999_999), TimeSpan.FromSeconds(29.99), TimeSpan.FromSeconds(30));

    [Fact]
    public async Task ARetryForever_WaitsTheBackoffOnTheClock_DoublingUpToTheMost()
    {
        var clock = new SteppedClock(SomeMessage.Date);
        var attempts = 0;
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddBackoffRetry(new BackoffRetryOptions { MinBackoff = Second, MaxBackoff = 10 * Second, Randomizer = () => 0.5 })
            .Build();

        var call = pipeline.ExecuteAsync(_ => ++attempts <= 7 ? throw new TimeoutException() : ValueTask.CompletedTask).AsTask();

        // Steps 1, 2, 4, 8, 10, 10, 10 s, each wait three quarters of its step.
        Assert.Equal(SteppedClock.Milliseconds(750, 1500, 3000, 6000, 7500, 7500, 7500), await clock.StepThroughAsync(7));
        await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(8, attempts);
    }

    [Fact]
    public async Task AServerDelay_WinsOverTheBackoff_AndTheBackoffGoesOnWhereItWas()
    {
        var clock = new SteppedClock(SomeMessage.Date);
        var attempts = 0;
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddBackoffRetry(new BackoffRetryOptions
            {
                MinBackoff = Second,
                MaxBackoff = 10 * Second,
                Randomizer = () => 0,
                ServerDelay = (outcome, _) => outcome.Exception is TimeoutException { Message: "wait a minute" } ? TimeSpan.FromMinutes(1) : null,
            })
            .Build();

        var call = pipeline.ExecuteAsync(_ => ++attempts switch
        {
            2 => throw new TimeoutException("wait a minute"),
            <= 4 => throw new TimeoutException(),
            _ => ValueTask.CompletedTask,
        }).AsTask();

        Assert.Equal(SteppedClock.Milliseconds(500, 60_000, 2000, 4000), await clock.StepThroughAsync(4));
        await call.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ABudgetOfRetries_IsSpent_ThenTheFailureComesOut()
    {
        var clock = new SteppedClock(SomeMessage.Date);
        var attempts = 0;
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddBackoffRetry(new BackoffRetryOptions { MinBackoff = Second, MaxBackoff = 10 * Second, MaxRetryAttempts = 2, Randomizer = () => 0 })
            .Build();

        var call = pipeline.ExecuteAsync(_ => { attempts++; throw new TimeoutException(); }).AsTask();

        Assert.Equal(SteppedClock.Milliseconds(500, 1000), await clock.StepThroughAsync(2));
        await Assert.ThrowsAsync<TimeoutException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(3, attempts);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 1)]
    public void ABackoffWhoseLeastIsNotPositiveOrAboveTheMost_IsRefused(int least, int most) =>
        Assert.Throws<ArgumentException>(() => new ResiliencePipelineBuilder().AddBackoffRetry(
            new BackoffRetryOptions { MinBackoff = TimeSpan.FromSeconds(least), MaxBackoff = TimeSpan.FromSeconds(most) }));
}
