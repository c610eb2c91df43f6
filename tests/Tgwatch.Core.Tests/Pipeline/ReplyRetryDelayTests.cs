using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>An unresolved reply is looked up again after the one backoff's step: from ReplyRetryDelay doubling up to ReplyMaxDelay.</summary>
public sealed class ReplyRetryDelayTests
{
    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(7, 320)]
    [InlineData(8, 600)]
    [InlineData(20, 600)]
    [InlineData(10_000, 600)]
    public void TheWaitAfterAFailedAttempt_DoublesFromTheRetryDelay_UpToTheMost(int attempts, int seconds)
    {
        var options = new PipelineOptions { ReplyRetryDelay = TimeSpan.FromSeconds(5), ReplyMaxDelay = TimeSpan.FromMinutes(10) };
        var resolver = new ReplyResolver(new ScriptedConnector([]), new InMemoryStateStore(), options, new PipelineStats(), NullLogger.Instance, TimeProvider.System);
        Assert.Equal(TimeSpan.FromSeconds(seconds), resolver.DelayAfter(attempts));
    }
}
