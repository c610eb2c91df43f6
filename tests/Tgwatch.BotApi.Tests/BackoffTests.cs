using System.Net;
using System.Net.Sockets;
using Tgwatch.TestKit;

namespace Tgwatch.BotApi.Tests;

/// <summary>
/// The connector's waits while it cannot reach the Bot API, on a fake clock with a fixed randomizer: the backoff of each
/// attempt (500 ms doubling up to 4 s here, three quarters of the step with a randomizer of 0.5), or what a rate limit's
/// retry_after asks for, but no less than the backoff.
/// </summary>
public sealed class BackoffTests : IDisposable
{
    private readonly CollectingLoggerProvider _logs = new();
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    // The link's grace timer (when a link down is told) is not a wait of the backoff.
    private readonly SteppedClock _clock = new(SomeMessage.Date) { Steps = d => d != Grace };
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(30));

    public void Dispose()
    {
        _stop.Dispose();
        _logs.Dispose();
    }

    private BotApiConnector Connector(HttpClient http) => new(new BotApiOptions
    {
        Token = ScriptedBotApi.Token,
        ApiUrl = new Uri("http://scripted.invalid/"),
        MinBackoff = TimeSpan.FromMilliseconds(500),
        MaxBackoff = TimeSpan.FromSeconds(4),
        Grace = Grace,
    }, _logs.CreateLogger("Tgwatch.BotApi"), _clock, http, randomizer: () => 0.5);

    private static HttpRequestException Refused() => new("Connection refused (scripted.invalid:80)", new SocketException((int)SocketError.ConnectionRefused));

    private static string RateLimit(int seconds) =>
        $$$"""{"ok":false,"error_code":429,"description":"Too Many Requests: retry after {{{seconds}}}","parameters":{"retry_after":{{{seconds}}}}}""";

    private Task ReadAsync(BotApiConnector connector) => Task.Run(async () =>
    {
        await foreach (var _ in connector.ReadAsync(new Dictionary<string, long>(), _stop.Token)) { }
    });

    private static async Task StopAsync(CancellationTokenSource stop, Task reading)
    {
        await stop.CancelAsync();
        // A stop ends the stream, with a cancellation or (when it comes between two polls) without one; not a hang.
        try
        {
            await reading.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [Fact]
    public async Task GetMe_WhileTheNetworkFails_IsRetriedWithTheBackoff_DoublingUpToTheMost()
    {
        var api = new ScriptedBotApi();
        for (var i = 0; i < 6; i++) api.GetMeFails(Refused());
        using var http = new HttpClient(api);
        await using var connector = Connector(http);

        var reading = ReadAsync(connector);

        // Steps 0.5, 1, 2, 4, 4, 4 s.
        Assert.Equal(SteppedClock.Milliseconds(375, 750, 1500, 3000, 3000, 3000), await _clock.StepThroughAsync(6));
        await StopAsync(_stop, reading);
    }

    [Fact]
    public async Task Polling_WaitsTheBackoff_OrARateLimitsRetryAfter_ButNoLessThanTheBackoff()
    {
        var api = new ScriptedBotApi()
            .ThenFail(Refused())
            .ThenFail(Refused())
            .Then((HttpStatusCode)429, RateLimit(7))
            .ThenFail(Refused())
            .Then((HttpStatusCode)429, RateLimit(0));
        using var http = new HttpClient(api);
        await using var connector = Connector(http);

        var reading = ReadAsync(connector);

        // The backoff's 375 and 750 ms, the 7 s asked for (more than the step's 1.5 s), the backoff's 3 s, and the backoff's
        // 3 s again where the server asked for none: a retry_after of 0 must not make the connector spin.
        Assert.Equal(SteppedClock.Milliseconds(375, 750, 7000, 3000, 3000), await _clock.StepThroughAsync(5));
        await StopAsync(_stop, reading);
        Assert.Contains("as the server asked", Assert.Single(_logs.Entries, e => e.EventId.Id == 4005).Message);
    }

    [Fact]
    public async Task APollThatNeverComesBack_IsAStuckLoopOnTheHeartbeat_WhileWaitingOutARateLimitIsNot()
    {
        // The heartbeat on a clock of its own, moved by the test: the connector's own waits (on _clock) are not stepped.
        var beats = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(SomeMessage.Date);
        var heartbeat = new Tgwatch.Health.Heartbeat(beats);
        var hanging = new HangingGetUpdates();
        using var http = new HttpClient(hanging);
        await using (var connector = new BotApiConnector(new BotApiOptions { Token = ScriptedBotApi.Token, ApiUrl = new Uri("http://scripted.invalid/"), Grace = Grace },
            _logs.CreateLogger("Tgwatch.BotApi"), _clock, http) { Heartbeat = heartbeat })
        {
            using var stop = new CancellationTokenSource();
            var reading = Task.Run(async () =>
            {
                await foreach (var _ in connector.ReadAsync(new Dictionary<string, long>(), stop.Token)) { }
            });
            await Eventually.TrueAsync(() => hanging.Polls > 0, "a getUpdates out", TimeSpan.FromSeconds(30), reading);
            beats.Advance(TimeSpan.FromMinutes(10));
            Assert.Equal(["botapi"], heartbeat.Stuck(TimeSpan.FromMinutes(5)));
            await StopAsync(stop, reading);
            Assert.Empty(heartbeat.Stuck(TimeSpan.FromMinutes(5))); // a stream that ended is no loop stuck
        }

        var api = new ScriptedBotApi().Then((HttpStatusCode)429, RateLimit(3600));
        using var http2 = new HttpClient(api);
        await using var waiting = new BotApiConnector(new BotApiOptions { Token = ScriptedBotApi.Token, ApiUrl = new Uri("http://scripted.invalid/"), Grace = Grace },
            _logs.CreateLogger("Tgwatch.BotApi"), _clock, http2) { Heartbeat = heartbeat };
        var read = ReadAsync(waiting);
        await Eventually.TrueAsync(() => api.GetUpdatesCalls == 1, "the rate-limited poll", TimeSpan.FromSeconds(30), read);
        beats.Advance(TimeSpan.FromMinutes(10));
        // Waiting an hour as Telegram asked is no hang.
        await Eventually.TrueAsync(() => heartbeat.Stuck(TimeSpan.FromMinutes(5)).Count == 0, "the wait idle on the heartbeat", TimeSpan.FromSeconds(30), read);
        Assert.Equal(1, api.GetUpdatesCalls);
        await StopAsync(_stop, read);
    }

    /// <summary>getMe answers; getUpdates never does (until the request is cancelled).</summary>
    private sealed class HangingGetUpdates : HttpMessageHandler
    {
        private int _polls;

        public int Polls => Volatile.Read(ref _polls);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/getMe", StringComparison.Ordinal))
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"ok":true,"result":{"id":424242,"is_bot":true,"first_name":"S","username":"scripted_bot"}}""", System.Text.Encoding.UTF8, "application/json") };
            Interlocked.Increment(ref _polls);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
