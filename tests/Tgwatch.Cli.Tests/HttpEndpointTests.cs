using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tgwatch.Chaos;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Sandbox.Faults;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// <c>tgwatch run --http</c> as a real process against the Bot API sandbox, through a loopback fault proxy: the metrics count
/// what was injected, readiness follows the link, health does not, the token guards everything but <c>/healthz</c>, and no
/// answer or log line holds a secret.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HttpEndpointTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string HttpToken = "http-token-0123456789abcdef";
    private readonly string _dir = Some.TempDirectory("tgwatch-http");
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private BotApiSandbox _sandbox = null!;
    private FaultProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);
        _proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, _sandbox.BaseUrl.Port));
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _proxy.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    private string P(string name) => Path.Combine(_dir, name);

    /// <summary>A run through the proxy, with short polls and backoff so that a link that comes back is seen soon.</summary>
    private async Task<string[]> RunArgsAsync(string listen)
    {
        await File.WriteAllTextAsync(P("tgwatch.json"), """{"BotApi": {"PollTimeoutSeconds": 2, "HttpMarginSeconds": 2, "MaxBackoff": "00:00:02"}}""");
        return ["run", "--config", P("tgwatch.json"), "--bot-token", _sandbox.Token, "--bot-api-url", $"http://127.0.0.1:{_proxy.Port}/",
            "--sink", $"jsonl:{P("out.jsonl")}", "--state", P("state.db"), "--http", listen];
    }

    [Fact]
    public async Task Metrics_CountWhatWasInjected_ReadinessFollowsTheLink_HealthDoesNot_AndNothingSecretIsServedOrLogged()
    {
        const int n = 7;
        for (var i = 0; i < n; i++)
            await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100900, Text = $"hello {i}", From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        await using var run = RunningTgwatch.Start(await RunArgsAsync("127.0.0.1:0"));
        var url = await run.ServingUrlAsync();
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", url);

        var metrics = await Eventually.ValueAsync(() => GetAsync($"{url}/metrics"), m => Sample(m.Body, "tgwatch_messages_written_total") == n,
            $"{n} written in /metrics", Tgwatch.Patience);
        output.WriteLine(metrics.Body);
        var account = $"bot{_sandbox.Token.Split(':')[0]}";
        Assert.Equal(n, Sample(metrics.Body, $"tgwatch_messages_received_total{{account=\"{account}\",connector=\"botapi\"}}"));
        Assert.Equal(n, Sample(metrics.Body, $"tgwatch_messages_written_total{{sink=\"jsonl:{P("out.jsonl")}\"}}"));
        Assert.Equal(0, Sample(metrics.Body, "tgwatch_messages_duplicate_total"));
        Assert.Equal(0, Sample(metrics.Body, "tgwatch_dead_letters_total{stage=\"pipeline\"}"));
        Assert.Equal(1, Sample(metrics.Body, $"tgwatch_link_up{{account=\"{account}\",connector=\"botapi\"}}"));
        // The pipeline's timings: every message written has its lag, each batch its sink write, in buckets of seconds.
        Assert.Equal(n, Sample(metrics.Body, "tgwatch_pipeline_lag_seconds_count"));
        Assert.Equal(n, Sample(metrics.Body, "tgwatch_pipeline_lag_seconds_bucket{le=\"+Inf\"}"));
        Assert.Contains("tgwatch_pipeline_lag_seconds_bucket{le=\"0.001\"}", metrics.Body);
        Assert.True(Sample(metrics.Body, $"tgwatch_sink_write_seconds_count{{sink=\"jsonl:{P("out.jsonl")}\"}}") >= 1, "a sink write timed");
        // The runtime's own metrics (OpenTelemetry's runtime instrumentation) come along.
        Assert.Matches(@"(?m)^dotnet_gc_collections_total\{", metrics.Body);
        Assert.Contains("text/plain", metrics.ContentType);

        var openMetrics = await GetAsync($"{url}/metrics", accept: "application/openmetrics-text; version=1.0.0");
        Assert.StartsWith("application/openmetrics-text", openMetrics.ContentType);
        Assert.EndsWith("# EOF\n", openMetrics.Body);
        Assert.Contains("# TYPE tgwatch_messages_received counter", openMetrics.Body);

        Assert.Equal((HttpStatusCode.OK, "ready\n"), Status(await GetAsync($"{url}/readyz")));
        Assert.Equal((HttpStatusCode.OK, "ok\n"), Status(await GetAsync($"{url}/healthz")));
        var status = await GetAsync($"{url}/api/status");
        Assert.Equal("no-store", status.CacheControl);
        using (var doc = JsonDocument.Parse(status.Body))
        {
            var root = doc.RootElement;
            Assert.Equal((n, n, "ready", "botapi"), (root.GetProperty("received").GetInt64(), root.GetProperty("written").GetInt64(),
                root.GetProperty("link").GetProperty("state").GetString(), root.GetProperty("link").GetProperty("connector").GetString()));
            var sink = Assert.Single(root.GetProperty("sinks").EnumerateArray());
            Assert.Equal(($"jsonl:{P("out.jsonl")}", n, false), (sink.GetProperty("name").GetString(), sink.GetProperty("written").GetInt64(), sink.GetProperty("failing").GetBoolean()));
        }
        Assert.DoesNotContain("hello 1", status.Body);

        // Telegram goes away: not ready within 10 s, with the reason; still healthy.
        _proxy.SetFault(ProxyFault.RefuseAndReset);
        var down = Stopwatch.StartNew();
        var notReady = await Eventually.ValueAsync(() => GetAsync($"{url}/readyz"), r => r.Code == HttpStatusCode.ServiceUnavailable, "/readyz 503", Tgwatch.Patience);
        down.Stop();
        output.WriteLine($"not ready after {down.Elapsed}: {notReady.Body}");
        Assert.True(down.Elapsed < TimeSpan.FromSeconds(10), $"/readyz said 503 only after {down.Elapsed}");
        using (var doc = JsonDocument.Parse(notReady.Body))
        {
            Assert.False(doc.RootElement.GetProperty("ready").GetBoolean());
            Assert.Matches(@"^link down since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ: connecting", Assert.Single(doc.RootElement.GetProperty("reasons").EnumerateArray()).GetString());
        }
        Assert.Equal((HttpStatusCode.OK, "ok\n"), Status(await GetAsync($"{url}/healthz")));
        Assert.Equal(0, Sample((await GetAsync($"{url}/metrics")).Body, "tgwatch_link_up"));

        // It comes back: ready again (within the backoff step of 2 s, and a poll).
        _proxy.SetFault(ProxyFault.Pass);
        var up = Stopwatch.StartNew();
        await Eventually.ValueAsync(() => GetAsync($"{url}/readyz"), r => r.Code == HttpStatusCode.OK, "/readyz 200 again", Tgwatch.Patience);
        output.WriteLine($"ready again after {up.Elapsed}");
        // The outage is counted: one reconnection (or more, the link having flapped), and its time down.
        var after = (await GetAsync($"{url}/metrics")).Body;
        Assert.True(Sample(after, "tgwatch_link_reconnects_total") >= 1, "a reconnection counted");
        Assert.True(SampleValue(after, "tgwatch_link_down_seconds_total") > 0, "time down counted");

        var answers = string.Concat(metrics.Body, openMetrics.Body, status.Body, notReady.Body);
        var log = await run.StopAsync();
        output.WriteLine(log);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"HTTP: serving /, /metrics, /healthz, /readyz, /api/status on {url}\n", log);
        Assert.DoesNotContain("Now listening", log);
        foreach (var text in new[] { answers, log })
        {
            Assert.DoesNotContain(_sandbox.Token, text);
            Assert.DoesNotContain(_sandbox.Token.Split(':')[1], text);
        }
    }

    [Fact]
    public async Task FloodWaits_SinkFailures_DeadLettersInTheStore_CheckpointAge_AndTheLinkTimeline_AreServed()
    {
        // The endpoint fails twice (HTTP 500), then refuses every batch that holds "poison" (so that record, sent alone, is a dead letter).
        var failures = 0;
        await using var hook = WebhookServer.Start(r =>
            Interlocked.Increment(ref failures) <= 2 ? new WebhookAnswer(500)
            : r.Messages.Any(m => m.Contains("poison", StringComparison.Ordinal)) ? new WebhookAnswer(400)
            : WebhookAnswer.Ok);
        // Telegram asks the bot to wait 2 s once.
        await _sandbox.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.RateLimit, Count = 1, RetryAfter = 2, Method = "getUpdates" });
        foreach (var text in new[] { "one", "poison", "three" })
            await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100900, Chat = new SandboxChat { Type = "supergroup", Title = "Ops <b>room</b>" }, Text = text, From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        var args = (await RunArgsAsync("127.0.0.1:0")).Concat(["--sink", $"webhook:{hook.Url}"]).ToArray();
        await using var run = RunningTgwatch.Start(args);
        var url = await run.ServingUrlAsync();
        var webhook = $"webhook:http://127.0.0.1:{hook.Port}/…";

        var metrics = await Eventually.ValueAsync(() => GetAsync($"{url}/metrics"), m => Sample(m.Body, "tgwatch_dead_letters_stored") == 1,
            "the refused record in the store's dead letters", Tgwatch.Patience);
        output.WriteLine(metrics.Body);
        var account = $"bot{_sandbox.Token.Split(':')[0]}";
        Assert.True(SampleValue(metrics.Body, $"tgwatch_flood_wait_seconds_total{{account=\"{account}\",connector=\"botapi\"}}") >= 2, "the flood wait of 2 s counted");
        var sinkFailures = Regex.Matches(metrics.Body, @"(?m)^tgwatch_sink_failures_total\{kind=""(\w+)"",sink=""([^""]+)""\} (\d+)$");
        Assert.True(sinkFailures.Where(m => m.Groups[2].Value.StartsWith(webhook, StringComparison.Ordinal)).Sum(m => long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)) >= 2,
            "the two failed deliveries counted for the webhook");
        Assert.Equal(0, Sample(metrics.Body, "tgwatch_pending_replies"));
        Assert.Matches(@"(?m)^tgwatch_dead_letters_total\{stage=""webhook:http://127\.0\.0\.1:\d+/…[^""]*""\} 1$", metrics.Body);
        var age = SampleValue(metrics.Body, "tgwatch_checkpoint_age_seconds{stream=\"updates\"}") ?? SampleValue(metrics.Body, "tgwatch_checkpoint_age_seconds");
        Assert.True(age is >= 0 and < 60, $"the checkpoint moved within the last minute (age {age})");
        Assert.Equal(0, Sample(metrics.Body, "tgwatch_noise_summaries_total"));
        // In OpenMetrics no two families share a name (a clash would fail the whole scrape), the stored dead letters included.
        var openMetrics = (await GetAsync($"{url}/metrics", accept: "application/openmetrics-text; version=1.0.0")).Body;
        var families = Regex.Matches(openMetrics, @"(?m)^# TYPE (\S+) ").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(families.Count, families.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("tgwatch_dead_letters_stored", families);
        Assert.Contains("tgwatch_dead_letters", families);

        var status = await Eventually.ValueAsync(() => GetAsync($"{url}/api/status"), a => a.Body.Contains("\"chats\"", StringComparison.Ordinal), "the chats in /api/status", Tgwatch.Patience);
        output.WriteLine(status.Body);
        using (var doc = JsonDocument.Parse(status.Body))
        {
            var root = doc.RootElement;
            Assert.True(root.GetProperty("flood_wait_seconds").GetDouble() >= 2);
            Assert.Equal(1, root.GetProperty("dead_letters_stored").GetInt64());
            Assert.Equal(0, root.GetProperty("pending_replies").GetInt64());
            var chat = Assert.Single(root.GetProperty("chats").EnumerateArray());
            Assert.Equal((-100900L, "Ops <b>room</b>", 3L), (chat.GetProperty("id").GetInt64(), chat.GetProperty("title").GetString(), chat.GetProperty("messages").GetInt64()));
            Assert.True(chat.GetProperty("last_age_seconds").GetDouble() is >= 0 and < 120);
            var hookSink = Assert.Single(root.GetProperty("sinks").EnumerateArray(), s => s.GetProperty("name").GetString()!.StartsWith("webhook:", StringComparison.Ordinal));
            Assert.True(hookSink.GetProperty("failures").GetInt64() >= 2);
            var timeline = root.GetProperty("link").GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("state").GetString()).ToList();
            Assert.Equal(["connecting", "ready"], timeline.Take(2));
            Assert.Equal(1, root.GetProperty("store").GetProperty("dead_letters").GetInt64());
            Assert.Equal(3, root.GetProperty("store").GetProperty("chats")[0].GetProperty("count").GetInt64());
        }
        Assert.DoesNotContain("poison", status.Body + metrics.Body);

        var log = await run.StopAsync();
        output.WriteLine(log);
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain(_sandbox.Token.Split(':')[1], status.Body + metrics.Body + log);
    }

    [Fact]
    public async Task WithAToken_EveryEndpointButHealthz_AsksForIt_AndTheTokenIsNeverLogged()
    {
        await using var run = RunningTgwatch.Start(await RunArgsAsync("0.0.0.0:0"), new Dictionary<string, string> { ["TGWATCH__HTTP__TOKEN"] = HttpToken });
        var url = await run.ServingUrlAsync();
        Assert.Matches(@"^http://0\.0\.0\.0:\d+$", url);
        var local = $"http://127.0.0.1:{new Uri(url).Port}";

        Assert.Equal((HttpStatusCode.OK, "ok\n"), Status(await GetAsync($"{local}/healthz")));
        foreach (var path in new[] { "/", "/metrics", "/readyz", "/api/status", "/nothing" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync($"{local}{path}")).Code);
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync($"{local}{path}", bearer: "wrong")).Code);
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync($"{local}{path}", bearer: HttpToken + "x")).Code);
        }
        // The run's own series come once it has opened its pipeline (the endpoint serves from the start).
        var metrics = await Eventually.ValueAsync(() => GetAsync($"{local}/metrics", bearer: HttpToken),
            m => m.Code == HttpStatusCode.OK && m.Body.Contains("tgwatch_messages_received_total", StringComparison.Ordinal), "the run's series", Tgwatch.Patience);
        var status = await GetAsync($"{local}/api/status", bearer: HttpToken);
        Assert.Equal(HttpStatusCode.OK, status.Code);

        var log = await run.StopAsync();
        output.WriteLine(log);
        Assert.Equal(0, run.ExitCode);
        foreach (var text in new[] { metrics.Body, status.Body, log })
        {
            Assert.DoesNotContain(HttpToken, text);
            Assert.DoesNotContain(_sandbox.Token.Split(':')[1], text);
        }
    }

    [Fact]
    public async Task ANonLoopbackAddressWithoutAToken_IsRefusedAtStart_WithOneLine()
    {
        var run = await Tgwatch.RunAsync(null, await RunArgsAsync("0.0.0.0:9464"));
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("tgwatch run: Http:Listen: an address other than loopback needs a token: set Http:Token (env TGWATCH__HTTP__TOKEN), which clients send as Authorization: Bearer TOKEN\n", run.Stderr);
    }

    [Theory]
    [InlineData("9464")]
    [InlineData("example.org:9464")]
    [InlineData("127.0.0.1:99999")]
    [InlineData("::1:9464")]
    public async Task AnAddressThatIsNone_IsRefusedAtStart_WithOneLine(string listen)
    {
        var run = await Tgwatch.RunAsync(null, await RunArgsAsync(listen));
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("tgwatch run: Http:Listen: expected ADDRESS:PORT, such as 127.0.0.1:9464, :9464 (loopback) or 0.0.0.0:9464\n", run.Stderr);
    }

    [Fact]
    public async Task APortInUse_IsExitCode2_WithOneLine()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var run = await Tgwatch.RunAsync(null, await RunArgsAsync($":{port}"));
        output.WriteLine(run.Stderr);
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Matches($@" crit Tgwatch\.Http: HTTP: cannot listen on http://127\.0\.0\.1:{port}: .*address already in use", line);
        Assert.False(File.Exists(P("out.jsonl")));
    }

    private static (HttpStatusCode, string) Status(Answer answer) => (answer.Code, answer.Body);

    private sealed record Answer(HttpStatusCode Code, string ContentType, string Body, string? CacheControl = null);

    private async Task<Answer> GetAsync(string url, string? accept = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await _http.SendAsync(request);
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "", await response.Content.ReadAsStringAsync(),
            response.Headers.CacheControl?.ToString());
    }

    /// <summary>The value of the first sample whose name (with its labels, if given) is <paramref name="series"/>; null when there is none.</summary>
    private static long? Sample(string metrics, string series) => SampleValue(metrics, series) is { } value ? (long)value : null;

    private static double? SampleValue(string metrics, string series)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (!line.StartsWith(series, StringComparison.Ordinal) || line.Length <= series.Length || line[series.Length] is not (' ' or '{')) continue;
            var value = line[(line.LastIndexOf(' ') + 1)..];
            return double.Parse(value, CultureInfo.InvariantCulture);
        }
        return null;
    }
}
