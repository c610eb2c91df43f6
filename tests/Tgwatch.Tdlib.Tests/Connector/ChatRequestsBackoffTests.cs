using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;

using static Tgwatch.Tdlib.Tests.Connector.ConnectorTesting;

namespace Tgwatch.Tdlib.Tests.Connector;

/// <summary>
/// The connector's waits between attempts of a request TDLib does not answer, on a fake clock with a fixed randomizer: the
/// backoff of each attempt (1 s doubling up to 4 s here, three quarters of the step with a randomizer of 0.5), or the wait a
/// FLOOD_WAIT names; each failure counted and told as before.
/// </summary>
public sealed class ChatRequestsBackoffTests : IDisposable
{
    private readonly CollectingLoggerProvider _logs = new();

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task ARequestThatFails_IsSentAgainAfterTheBackoff_OrAfterTheFloodWait_UntilItIsAnswered()
    {
        var clock = new SteppedClock(SomeMessage.Date);
        var session = new ScriptedTdSession();
        var calls = 0;
        session.OnAsync("openChat", (_, _) => ++calls switch
        {
            1 or 2 or 5 => throw new TdlibErrorException(500, "Internal Server Error", "openChat"),
            3 => throw new TdlibErrorException(429, "Too Many Requests: retry after 7", "openChat"),
            4 => throw new TimeoutException("TDLib did not answer openChat"),
            _ => Task.FromResult(ScriptedTdSession.Parse("""{"@type":"ok"}""")),
        });
        var options = new TdlibConnectorOptions { Account = "user5001", MinBackoff = TimeSpan.FromSeconds(1), MaxBackoff = TimeSpan.FromSeconds(4) };
        var stats = new TdlibConnectorStats();
        var logger = _logs.CreateLogger("Tgwatch.Tdlib.Connector");
        var floodWaits = new List<TimeSpan>();
        var requests = new ChatRequests(session, new TdUpdateReader(options.Account), options, stats, new MalformedObjects(stats, logger), logger, clock, () => 0.5)
        {
            RateLimited = floodWaits.Add,
        };

        var open = requests.OpenAsync(News, new ChatSpec(News, null), CancellationToken.None);

        Assert.Equal(SteppedClock.Milliseconds(750, 1500, 7000, 3000, 3000), await clock.StepThroughAsync(5));
        await open.WaitAsync(Patience);
        Assert.Equal(6, calls);
        Assert.Equal((4L, 1L), (stats.Retries, stats.RateLimited));
        // The FLOOD_WAIT's wait goes to the link's flood-wait total.
        Assert.Equal([TimeSpan.FromSeconds(7)], floodWaits);
        // A lasting failure is told at attempts 1, 2, 4, 8...; a time-out quietly; a rate limit once, with its wait.
        Assert.Equal(
        [
            $"TDLib: opening chat {News} failed (error 500, attempt 1); retrying in 0.8 s",
            $"TDLib: opening chat {News} failed (error 500, attempt 2); retrying in 1.5 s",
        ], _logs.Entries.Where(e => e.EventId.Id == 5010).Select(e => e.Message));
        Assert.Contains("as the server asked", Assert.Single(_logs.Entries, e => e.EventId.Id == 5005).Message);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 5011);
    }

    [Fact]
    public async Task ARefusal_IsNotRetried()
    {
        var clock = new SteppedClock(SomeMessage.Date);
        var session = new ScriptedTdSession().Fail("openChat", 400, "Chat not found");
        var options = new TdlibConnectorOptions { Account = "user5001" };
        var stats = new TdlibConnectorStats();
        var logger = _logs.CreateLogger("Tgwatch.Tdlib.Connector");
        var requests = new ChatRequests(session, new TdUpdateReader(options.Account), options, stats, new MalformedObjects(stats, logger), logger, clock, () => 0.5);

        await requests.OpenAsync(News, new ChatSpec(News, null), CancellationToken.None).WaitAsync(Patience);

        Assert.Single(session.SentOf("openChat"));
        Assert.Equal(0, stats.Retries);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 5009);
    }
}
