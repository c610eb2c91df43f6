using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tgwatch.Cli.Http.Page;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// The status page at <c>/</c> in a real browser (headless chromium): the server renders the run's figures into it, its
/// script follows them every 2 s and renders what the server renders, user data is shown as text, it fits a phone, it
/// loads nothing from elsewhere, and with a token a browser gives it once.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class StatusPageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string HttpToken = "page-token-0123456789abcdef";

    /// <summary>A chat title that runs script if the page writes it as HTML.</summary>
    private const string HostileTitle = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\"> Ops & 'Co'";

    private readonly string _dir = Some.TempDirectory("tgwatch-page");
    private BotApiSandbox _sandbox = null!;
    private int _injected;

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private string P(string name) => Path.Combine(_dir, name);

    private string Sink => $"jsonl:{P("out.jsonl")}";

    private string[] RunArgs() =>
        ["run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(), "--sink", Sink, "--state", P("state.db"), "--http", "127.0.0.1:0"];

    private async Task InjectAsync(int count)
    {
        for (var i = 0; i < count; i++, _injected++)
        {
            await _sandbox.Admin.SendMessageAsync(new InjectMessage
            {
                ChatId = -100900,
                Chat = new SandboxChat { Type = "supergroup", Title = HostileTitle },
                Text = $"hello {_injected}",
                From = new SandboxUser { Id = 5, FirstName = "Eve" },
            });
        }
    }

    [Fact]
    public async Task ThePage_ShowsTheFiguresWithoutJavaScript_ThenItsScriptFollowsThem_OnAPhone_LoadingNothingFromElsewhere()
    {
        await InjectAsync(5);
        await using var run = RunningTgwatch.Start(RunArgs());
        var url = await run.ServingUrlAsync();
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () => JsonNode.Parse(await http.GetStringAsync($"{url}/api/status")) is { } s
            && s["written"]!.GetValue<long>() == 5 && s["chats"]?[0]?["messages"]?.GetValue<long>() == 5,
            "5 written in /api/status, and the chat's 5 read from the store", Tgwatch.Patience);

        // Without JavaScript (the page's <noscript> line shows): the figures as the server rendered them.
        string dom;
        await using (var plain = await Chromium.OpenAsync($"{url}/", javaScript: false))
        {
            Assert.Equal("inline", (await plain.EvaluateAsync("getComputedStyle(document.querySelector('noscript')).display")).GetString());
            dom = await plain.HtmlAsync();
        }
        output.WriteLine(dom);
        Assert.Equal(["5"], Texts(dom, "received"));
        Assert.Equal(["ready"], Texts(dom, "link.state"));
        Assert.Equal(["ready"], Texts(dom, "ready"));
        Assert.Equal([$"bot{_sandbox.Token.Split(':')[0]}"], Texts(dom, "link.account"));
        Assert.Equal([Sink], Texts(dom, "name"));
        Assert.Equal(["5", "5"], Texts(dom, "written"));
        // The chat's last message from the store, its (hostile) title as text; the link's timeline.
        Assert.Equal([HostileTitle], Texts(dom, "title"));
        Assert.Equal(["5"], Texts(dom, "messages"));
        Assert.Equal(["connecting", "ready"], Texts(dom, "state"));
        Assert.StartsWith("Figures of ", FooterOf(dom));

        // The page as served: its own style and script, no address of anything to load, and a policy that allows nothing else.
        using var page = await http.GetAsync($"{url}/");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType?.ToString());
        Assert.StartsWith("default-src 'none'; ", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotMatch(@"(?i)<[a-z][^>]*\s(src|href|action|formaction|srcset|poster|data)\s*=|url\(|@import", html);
        // No sink here is a webhook (whose name would be an address, as text).
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        foreach (var secret in new[] { _sandbox.Token, _sandbox.Token.Split(':')[1], "hello 1" }) Assert.DoesNotContain(secret, html);

        // With JavaScript, on a phone: the page follows the run.
        await using var tab = await Chromium.OpenAsync($"{url}/", width: 390, height: 844, mobile: true);
        Assert.Equal("5", await tab.TextAsync("main [data-path='received']"));
        await InjectAsync(3);
        await Eventually.ValueAsync(() => tab.TextAsync("main [data-path='received']"), text => text == "8", "received 8, by the page's script", Tgwatch.Patience);
        await Eventually.ValueAsync(() => tab.TextAsync("table[data-path='sinks'] td[data-path='written']"), text => text == "8", "the sink's 8", Tgwatch.Patience);
        Assert.Equal("ready", await tab.TextAsync("main [data-path='link.state']"));
        Assert.StartsWith("Updated ", await tab.TextAsync("#updated"));
        Assert.Equal(JsonValueKind.Undefined, (await tab.EvaluateAsync("window.pwned")).ValueKind);

        // A phone's width, and nothing wider: no scrolling sideways.
        Assert.Equal(390, (await tab.EvaluateAsync("window.innerWidth")).GetInt32());
        Assert.True((await tab.EvaluateAsync("document.documentElement.scrollWidth")).GetInt32() <= 390, "the page is wider than a phone");
        // Everything the page loaded came from the run.
        var loaded = (await tab.EvaluateAsync("performance.getEntriesByType('resource').map(e => e.name)")).EnumerateArray().Select(e => e.GetString()!).ToList();
        output.WriteLine(string.Join("\n", loaded));
        Assert.Contains($"{url}/api/status", loaded);
        Assert.All(loaded, address => Assert.StartsWith($"{url}/", address));

        var log = await run.StopAsync();
        output.WriteLine(log);
        Assert.Equal(0, run.ExitCode);
        // The run gone, the page says so, and keeps the last figures.
        var stale = await Eventually.ValueAsync(() => tab.TextAsync("#updated"), text => text?.StartsWith("Not updated since ", StringComparison.Ordinal) == true,
            "the page saying it is not updated", Tgwatch.Patience);
        Assert.EndsWith(": cannot reach the run.", stale);
        Assert.Equal("8", await tab.TextAsync("main [data-path='received']"));
    }

    public static TheoryData<string> Statuses => new() { "today", "every field", "odd shapes", "many numbers" };

    [Theory]
    [MemberData(nameof(Statuses))]
    public async Task TheScript_RendersWhatTheServerRenders_AndUserDataIsText(string which)
    {
        var status = Status(which);
        var now = DateTimeOffset.Parse("2026-12-05T21:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        // The page served for a run that has just started; its script then fetches the status.
        await using var site = StaticSite.Start(new()
        {
            ["/"] = ("text/html; charset=utf-8", Page("{}", now)),
            ["/api/status"] = ("application/json", status),
            ["/served"] = ("text/html; charset=utf-8", Page(status, now)),
        });
        var served = await Chromium.DomAsync($"{site.Url}served", javaScript: false);
        await using var tab = await Chromium.OpenAsync(site.Url, width: 390, height: 844, mobile: true);
        await Eventually.ValueAsync(() => tab.TextAsync("#updated"), text => text?.StartsWith("Updated ", StringComparison.Ordinal) == true, "the script's update", Tgwatch.Patience);
        Assert.True((await tab.EvaluateAsync("document.documentElement.scrollWidth")).GetInt32() <= 390, "the page is wider than a phone");
        var scripted = (await tab.EvaluateAsync("document.querySelector('main').innerHTML")).GetString()!;
        output.WriteLine(scripted);

        Assert.Equal(MainOf(served), scripted);
        Assert.Equal(TitleOf(served), (await tab.EvaluateAsync("document.title")).GetString());
        // User data is text: the hostile title is shown as it is, and nothing of it ran.
        Assert.Equal(JsonValueKind.Undefined, (await tab.EvaluateAsync("window.pwned")).ValueKind);
        Assert.Equal(0, (await tab.EvaluateAsync("document.querySelectorAll('main script, main img, main b').length")).GetInt32());
        if (which == "every field")
        {
            Assert.Equal(HostileTitle, await tab.TextAsync("table[data-path='chats'] td[data-path='title']"));
            Assert.Equal([HostileTitle, "Ева & 🐱 \"quoted\"", new string('W', 120), "1,200,000", "34,567", "1", "1.3s ago", "58m58s ago", "720h00m ago"],
                [.. Texts(served, "title"), .. Texts(served, "messages"), .. Texts(served, "last_age_seconds")]);
            Assert.Equal(["not ready", "3h02m", "1,234,567", "410ms", "2.1s", "10s", "1h02m", "3", "1m14s"],
                [.. Texts(served, "ready"), .. Texts(served, "uptime_seconds"), .. Texts(served, "received"), .. Texts(served, "lag_seconds.p50"),
                 .. Texts(served, "lag_seconds.p99"), .. Texts(served, "lag_seconds.max"), .. Texts(served, "flood_wait_seconds"),
                 .. Texts(served, "link.reconnects"), .. Texts(served, "link.down_seconds")]);
            Assert.Equal(["ready", "connecting", "ready", "connecting"], Texts(served, "state"));
            Assert.Equal(["120", "3"], [.. Texts(served, "noise.hidden.network"), .. Texts(served, "noise.hidden.flood_wait")]);
            Assert.Equal(["failing"], Texts(served, "failing")[1..]);
        }
        if (which == "today")
        {
            // What /api/status does not have yet is a dash.
            Assert.Equal(["—", "—", "—"], [.. Texts(served, "lag_seconds.p50"), .. Texts(served, "chats"), .. Texts(served, "noise.hidden")]);
        }
    }

    [Fact]
    public async Task WithAToken_ThePageAsksForIt_ABrowserGivesItOnce_AndItIsNeverShownNorLogged()
    {
        await InjectAsync(2);
        await using var run = RunningTgwatch.Start(RunArgs(), new Dictionary<string, string> { ["TGWATCH__HTTP__TOKEN"] = HttpToken });
        var url = await run.ServingUrlAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });

        // Without it, the page is a prompt for it; a wrong one is said so.
        var answers = new List<string>();
        foreach (var (request, wrong) in new[]
        {
            (new HttpRequestMessage(HttpMethod.Get, $"{url}/"), false),
            (new HttpRequestMessage(HttpMethod.Get, $"{url}/?token=wrong"), true),
            (new HttpRequestMessage(HttpMethod.Post, $"{url}/") { Content = new FormUrlEncodedContent([new("token", HttpToken + "x")]) }, true),
            (new HttpRequestMessage(HttpMethod.Get, $"{url}/") { Headers = { { "Cookie", $"{Http.HttpToken.CookieName}={HttpToken}" } } }, false),
        })
        {
            using var answer = await http.SendAsync(request);
            var body = await answer.Content.ReadAsStringAsync();
            answers.Add(body);
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            Assert.Contains("<form method=\"post\"><input type=\"password\" name=\"token\"", body);
            Assert.Equal(wrong, body.Contains("That is not it.", StringComparison.Ordinal));
            Assert.DoesNotContain("data-path", body);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"{url}/api/status?token={HttpToken}")).StatusCode);

        // Given in the prompt: a cookie (not the token), and back to the page.
        using var signIn = await http.PostAsync($"{url}/", new FormUrlEncodedContent([new("token", HttpToken)]));
        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        Assert.Equal("./", signIn.Headers.Location?.OriginalString);
        var cookie = Assert.Single(signIn.Headers.GetValues("Set-Cookie"));
        output.WriteLine(cookie);
        Assert.Matches($"^{Http.HttpToken.CookieName}=[A-Za-z0-9_-]{{43}}; max-age=2592000; path=/; samesite=strict; httponly$", cookie);
        Assert.DoesNotContain(HttpToken, cookie);
        foreach (var path in new[] { "/", "/api/status", "/metrics" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{url}{path}") { Headers = { { "Cookie", cookie.Split(';')[0] } } };
            using var answer = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            answers.Add(await answer.Content.ReadAsStringAsync());
        }

        // The two messages sent before the start are received (the run serves its page before its first poll has come back).
        await Eventually.TrueAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{url}/api/status") { Headers = { { "Cookie", cookie.Split(';')[0] } } };
            using var answer = await http.SendAsync(request);
            return JsonNode.Parse(await answer.Content.ReadAsStringAsync())?["received"]?.GetValue<long>() == 2;
        }, "2 received in /api/status", Tgwatch.Patience);

        // A browser given a link with it: the token leaves the address bar, the page shows the figures, its script's fetches carry the cookie.
        var dom = await Chromium.DomAsync($"{url}/?token={HttpToken}", javaScript: false);
        Assert.Equal(["2"], Texts(dom, "received"));
        await using var tab = await Chromium.OpenAsync($"{url}/?token={HttpToken}");
        Assert.Equal($"{url}/", (await tab.EvaluateAsync("location.href")).GetString());
        await InjectAsync(1);
        await Eventually.ValueAsync(() => tab.TextAsync("main [data-path='received']"), text => text == "3", "received 3, by the page's script", Tgwatch.Patience);
        answers.Add(dom);
        answers.Add((await tab.EvaluateAsync("document.documentElement.outerHTML")).GetString()!);

        var log = await run.StopAsync();
        output.WriteLine(log);
        Assert.Equal(0, run.ExitCode);
        foreach (var text in answers.Append(log)) Assert.DoesNotContain(HttpToken, text);
    }

    /// <summary>The page the server renders for a status document, as of <paramref name="now"/>.</summary>
    private static string Page(string status, DateTimeOffset now)
    {
        using var document = JsonDocument.Parse(status);
        return StatusPage.Html(document.RootElement, now);
    }

    /// <summary>The status documents the renderers are compared on: today's /api/status, one with every field it will have, and wrong shapes.</summary>
    private static string Status(string which) => which switch
    {
        "today" => """
            {"started":"2026-12-05T20:18:42Z","uptime_seconds":6.1,"ready":true,"reasons":[],"link":{"connector":"botapi","account":"bot123456","state":"ready","reason":null,"since":"2026-12-05T20:18:43Z"},
             "received":3,"written":3,"duplicates":0,"caught_up":0,"filtered":0,"in_flight":0,"dead_letters":{"pipeline":0},
             "sinks":[{"name":"jsonl:/tmp/pg/out.jsonl","written":3,"failing":false},{"name":"webhook:https://hooks.example.org/…#1fb81d38","written":3,"failing":false,"outbox":0,"sent":3}]}
            """,
        "every field" => new JsonObject
        {
            ["started"] = "2026-12-05T18:00:00Z",
            ["uptime_seconds"] = 10921.4,
            ["ready"] = false,
            ["reasons"] = new JsonArray("link down since 2026-12-05T20:59:58Z: connecting (connection refused)", "sink webhook:https://hooks.example.org/…#1fb81d38 failing"),
            ["link"] = new JsonObject
            {
                ["connector"] = "botapi", ["account"] = "bot123456", ["state"] = "connecting", ["reason"] = "connection refused", ["since"] = "2026-12-05T20:59:58Z",
                ["reconnects"] = 3, ["down_seconds"] = 74.25,
                ["timeline"] = new JsonArray(
                    new JsonObject { ["state"] = "ready", ["at"] = "2026-12-05T18:00:01Z", ["reason"] = null },
                    new JsonObject { ["state"] = "connecting", ["at"] = "2026-12-05T19:10:00Z", ["reason"] = "connection reset" },
                    new JsonObject { ["state"] = "ready", ["at"] = "2026-12-05T19:10:42Z", ["reason"] = null },
                    new JsonObject { ["state"] = "connecting", ["at"] = "2026-12-05T20:59:58Z", ["reason"] = "<b>refused</b>" }),
            },
            ["received"] = 1234567, ["written"] = 1234560, ["duplicates"] = 7, ["caught_up"] = 12, ["filtered"] = 3, ["in_flight"] = 2,
            ["lag_seconds"] = new JsonObject { ["p50"] = 0.41, ["p99"] = 2.1, ["max"] = 9.96, ["count"] = 1000 },
            ["flood_wait_seconds"] = 3725, ["pending_replies"] = 1, ["dead_letters_stored"] = 2,
            ["dead_letters"] = new JsonObject { ["pipeline"] = 1, ["webhook:https://hooks.example.org/…#1fb81d38"] = 1 },
            ["noise"] = new JsonObject { ["hidden"] = new JsonObject { ["network"] = 120, ["flood_wait"] = 3 }, ["summaries"] = 4 },
            ["sinks"] = new JsonArray(
                new JsonObject { ["name"] = "jsonl:/var/lib/tgwatch/messages.jsonl", ["written"] = 1234560, ["failing"] = false, ["failures"] = 0 },
                new JsonObject { ["name"] = "webhook:https://hooks.example.org/…#1fb81d38", ["written"] = 1234000, ["failing"] = true, ["failures"] = 17, ["outbox"] = 560, ["sent"] = 1234000 }),
            ["chats"] = new JsonArray(
                new JsonObject { ["id"] = -1001234567890, ["title"] = HostileTitle, ["messages"] = 1200000, ["last_date"] = "2026-12-05T20:59:57Z", ["last_age_seconds"] = 1.25 },
                new JsonObject { ["id"] = 42, ["title"] = "Ева & 🐱 \"quoted\"", ["messages"] = 34567, ["last_date"] = "2026-12-05T20:01:00Z", ["last_age_seconds"] = 3538 },
                new JsonObject { ["id"] = 7, ["title"] = new string('W', 120), ["messages"] = 1, ["last_date"] = "2026-11-05T21:00:00Z", ["last_age_seconds"] = 2592000 }),
        }.ToJsonString(),
        // Durations and counts where the two renderers' arithmetic could part: tenths, halves, units' edges, large numbers.
        "many numbers" => new JsonObject
        {
            ["chats"] = new JsonArray([.. new[] { 0, 0.0004, 0.0005, 0.29, 0.9995, 0.9999, 1, 1.05, 1.15, 1.25, 4.35, 9.949, 9.95, 9.9999, 59.9999, 60, 3599.999, 3600, 86399.5, 1e9, 1e12, 1e15 }
                .Concat(Enumerable.Range(0, 300).Select(i => i * 0.0337 + i * i * 0.731))
                .Select((age, i) => (JsonNode)new JsonObject { ["id"] = -i, ["title"] = $"chat {i}", ["messages"] = (long)Math.Pow(7, i % 19), ["last_age_seconds"] = age })]),
        }.ToJsonString(),
        "odd shapes" => """
            {"ready":"yes","reasons":"none","uptime_seconds":1e300,"link":[1,2],"received":1.5,"written":-3,"duplicates":1e400,"lag_seconds":null,
             "flood_wait_seconds":-4,"sinks":[null,5,{"name":7,"written":"9","failing":"no"}],"chats":{"a":1},"dead_letters":[],"noise":{"hidden":{}}}
            """,
        _ => throw new ArgumentOutOfRangeException(nameof(which)),
    };

    /// <summary>The text of every element of the page's <c>main</c> whose <c>data-path</c> is <paramref name="path"/>, in order.</summary>
    private static string[] Texts(string dom, string path) =>
        [.. Regex.Matches(MainOf(dom), $"<(dd|td|p|ul|table|dl)\\b[^>]*\\bdata-path=\"{Regex.Escape(path)}\"[^>]*>(.*?)</\\1>", RegexOptions.Singleline)
            .Select(m => WebUtility.HtmlDecode(Tags().Replace(m.Groups[2].Value, "")))];

    private static string FooterOf(string dom) => WebUtility.HtmlDecode(Tags().Replace(Regex.Match(dom, "<footer>(.*?)</footer>", RegexOptions.Singleline).Groups[1].Value, ""));

    private static string MainOf(string dom) => Regex.Match(dom, "<main id=\"status\">(.*?)</main>", RegexOptions.Singleline).Groups[1].Value;

    private static string TitleOf(string dom) => WebUtility.HtmlDecode(Regex.Match(dom, "<title>(.*?)</title>").Groups[1].Value);

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tags();

    /// <summary>A loopback site of fixed answers by path.</summary>
    private sealed class StaticSite : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _serving;

        private StaticSite(Dictionary<string, (string ContentType, string Body)> answers, int port)
        {
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _serving = Task.Run(async () =>
            {
                while (true)
                {
                    HttpListenerContext context;
                    try { context = await _listener.GetContextAsync(); }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                    if (answers.TryGetValue(context.Request.Url!.AbsolutePath, out var answer))
                    {
                        context.Response.ContentType = answer.ContentType;
                        await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(answer.Body));
                    }
                    else context.Response.StatusCode = 404;
                    context.Response.Close();
                }
            });
        }

        public string Url { get; }

        public static StaticSite Start(Dictionary<string, (string ContentType, string Body)> answers) => new(answers, WebhookServer.FreePort());

        public async ValueTask DisposeAsync()
        {
            // Close alone, as the webhook test server: after Stop, Close takes the listener off its port a second time, and the
            // managed HttpListener binds the port again to do it, failing with "Address already in use" when another test has
            // taken it since.
            _listener.Close();
            await _serving;
        }
    }
}
