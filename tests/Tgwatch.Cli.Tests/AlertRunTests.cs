using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Sandbox.Faults;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// <c>tgwatch run --sink telegram:CHAT</c> as a real process against the Bot API sandbox: alerts posted into the watched chat
/// itself (the bot's own messages are no updates, so an alert never triggers another), each once, through a 429 and kill -9s.
/// </summary>
public sealed class AlertRunTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long Watched = -100900;
    private readonly string _dir = Some.TempDirectory("tgwatch-alerts");
    private BotApiSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private string State => Path.Combine(_dir, "state.db");

    private string Jsonl => Path.Combine(_dir, "out.jsonl");

    private string[] RunArgs(params string[] more) =>
        ["run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(), "--state", State, "--sink", $"jsonl:{Jsonl}", .. more];

    private Task SendAsync(string text, long chat = Watched) => _sandbox.Admin.SendMessageAsync(new InjectMessage
    {
        ChatId = chat,
        Chat = new SandboxChat { Title = "Price watch", Username = "pricewatch" },
        Text = text,
        From = new SandboxUser { Id = 5, FirstName = "Eve", Username = "eve" },
    });

    /// <summary>The texts of the messages the bot sent (the alerts), in order.</summary>
    private async Task<List<string>> AlertsAsync() =>
        [.. (await _sandbox.Admin.ListSentAsync()).Select(m => m.GetProperty("text").GetString()!)];

    /// <summary>The alerted message's text: the third line of an alert (chat, sender, text, link).</summary>
    private static string Body(string alert) => alert.Split('\n')[2];

    private static int Lines(string path) => File.Exists(path) ? File.ReadAllLines(path).Length : 0;

    private async Task<string> StopAsync(Process process, Task<string> stderr)
    {
        Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        var log = await stderr;
        output.WriteLine(log);
        Assert.Equal(0, process.ExitCode);
        return log;
    }

    [Fact]
    public async Task MessagesInAWatchedChat_AreAlertedIntoItOnceEach_ThroughA429_AndNoAlertComesBackAsAnUpdate()
    {
        await SendAsync("warm-up"); // the chat exists before the run
        await _sandbox.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.RateLimit, Method = "sendMessage", RetryAfter = 2, Count = 1 });
        using var run = Tgwatch.Start(RunArgs("--chat", Watched.ToString(CultureInfo.InvariantCulture), "--sink", $"telegram:{Watched}"));
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        for (var i = 0; i < 5; i++) await SendAsync($"price {i} <b>*now*</b>");

        await Eventually.TrueAsync(async () => (await AlertsAsync()).Count >= 6, "six alerts", Tgwatch.Patience);
        // Had an alert come back as an update, it would be in the JSONL and alerted in turn.
        await Eventually.TrueAsync(() => Lines(Jsonl) == 6, "six records", Tgwatch.Patience);
        var log = await StopAsync(run, stderr);

        var alerts = await AlertsAsync();
        Assert.Equal(["warm-up", .. Enumerable.Range(0, 5).Select(i => $"price {i} <b>*now*</b>")], alerts.Select(Body));
        Assert.All(alerts, a => Assert.StartsWith("Price watch (@pricewatch)\nEve (@eve)\n", a));
        Assert.Matches(@"\nhttps://t\.me/pricewatch/\d+$", alerts[0]);
        Assert.Equal(6, Lines(Jsonl));
        Assert.Contains("RateLimited", log);
        Assert.Contains("Stopped: 6 received, 6 written, 0 duplicates skipped, 0 dead letters", log);
        Assert.DoesNotContain(_sandbox.Token, log);
    }

    [Fact]
    public async Task KilledWhileSendingABacklog_EveryAlertIsSentAfterRestart_DuplicatesOnlyOneAKill()
    {
        const int count = 14;
        for (var i = 0; i < count; i++) await SendAsync($"backlog {i}");
        var kills = 0;
        foreach (var at in (int[])[3, 7])
        {
            using var run = Tgwatch.Start(RunArgs("--sink", $"telegram:{Watched}"));
            run.StandardInput.Close();
            _ = run.StandardError.ReadToEndAsync();
            await Eventually.TrueAsync(async () => (await AlertsAsync()).Count >= at, $"{at} alerts", Tgwatch.Patience);
            run.Kill(); // SIGKILL: no drain
            await run.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
            kills++;
        }
        using (var last = Tgwatch.Start(RunArgs("--sink", $"telegram:{Watched}")))
        {
            last.StandardInput.Close();
            var stderr = last.StandardError.ReadToEndAsync();
            await Eventually.TrueAsync(async () => (await AlertsAsync()).Select(Body).Distinct().Count() == count, "every alert", TimeSpan.FromSeconds(90));
            await StopAsync(last, stderr);
        }

        var bodies = (await AlertsAsync()).Select(Body).ToList();
        var duplicates = bodies.Count - bodies.Distinct().Count();
        output.WriteLine($"alerts {bodies.Count}, distinct {bodies.Distinct().Count()}, duplicates {duplicates}, kill -9 {kills}");
        Assert.Equal([.. Enumerable.Range(0, count).Select(i => $"backlog {i}")], bodies.Distinct());
        Assert.True(duplicates <= kills, $"{duplicates} duplicates after {kills} kills");
        Assert.Equal(count, Lines(Jsonl));
    }

    [Fact]
    public async Task AChatTheBotCannotPostTo_IsOneLine_AndItsAlertsAreDeadLetters()
    {
        using var run = Tgwatch.Start(RunArgs("--sink", "telegram:-100777"));
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        for (var i = 0; i < 3; i++) await SendAsync($"lost {i}");
        await Eventually.TrueAsync(() => Lines(Jsonl) == 3, "three records", Tgwatch.Patience);
        await Eventually.TrueAsync(async () => (await Tgwatch.RunAsync(null, "deadletters", "list", "--state", State)).Lines.Count == 3, "three dead letters", Tgwatch.Patience);
        var log = await StopAsync(run, stderr);

        var refused = Assert.Single(log.Split('\n'), l => l.Contains("refused an alert", StringComparison.Ordinal));
        Assert.Contains("-100777 (400 Bad Request: chat not found)", refused);
        Assert.Contains("3 dead letters", log);
        Assert.Empty(await AlertsAsync());
        Assert.DoesNotContain(_sandbox.Token, log);

        // Replayed once the bot can post there: without its token, one line; with it, the three alerts sent, the letters gone.
        var noToken = await Tgwatch.RunAsync(null, "deadletters", "replay", "--sink", "telegram:-100777", "--state", State);
        Assert.Equal(2, noToken.ExitCode);
        Assert.Equal("tgwatch deadletters replay: --sink telegram:-100777 posts through a bot: give its token with --bot-token or TGWATCH__BOTAPI__TOKEN", noToken.Stderr.Trim());
        await SendAsync("the chat exists now", -100777);
        var replay = await Tgwatch.RunAsync(null, "deadletters", "replay", "--sink", "telegram:-100777", "--bot-token", _sandbox.Token,
            "--bot-api-url", _sandbox.BaseUrl.ToString(), "--state", State);
        output.WriteLine(replay.Stderr);
        Assert.Equal(0, replay.ExitCode);
        Assert.Contains("replayed 3, failed again 0", replay.Stderr);
        Assert.Equal(["lost 0", "lost 1", "lost 2"], (await AlertsAsync()).Select(Body).Order());
        Assert.Empty((await Tgwatch.RunAsync(null, "deadletters", "list", "--state", State)).Lines);
        Assert.DoesNotContain(_sandbox.Token.Split(':')[1], replay.Stderr);
    }

    [Fact]
    public async Task WithForward_EachMessageItselfIsForwarded_WithItsOrigin()
    {
        await SendAsync("warm-up");
        await SendAsync("the alerts chat exists", -100778); // not watched
        using var run = Tgwatch.Start(RunArgs("--chat", Watched.ToString(CultureInfo.InvariantCulture), "--sink", "telegram:-100778?forward=true"));
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        for (var i = 0; i < 3; i++) await SendAsync($"item {i}");

        await Eventually.TrueAsync(async () => (await _sandbox.Admin.ListSentAsync()).Count >= 4, "four forwards", Tgwatch.Patience);
        await StopAsync(run, stderr);

        var sent = await _sandbox.Admin.ListSentAsync();
        Assert.Equal(["warm-up", "item 0", "item 1", "item 2"], sent.Select(m => m.GetProperty("text").GetString()));
        Assert.All(sent, m => Assert.Equal(-100778, m.GetProperty("chat").GetProperty("id").GetInt64()));
        Assert.All(sent, m => Assert.Equal("Eve", m.GetProperty("forward_origin").GetProperty("sender_user").GetProperty("first_name").GetString()));
    }

    [Fact]
    public async Task ATelegramSinkWithAnUnknownOption_IsRefusedAtStart_InOneLine()
    {
        var result = await Tgwatch.RunAsync(null, RunArgs("--sink", "telegram:@alerts?silent=1"));
        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains("--sink telegram:@alerts?silent=1: the only option of a telegram sink is ?forward=true (forward the message itself), not 'silent=1'", line);
    }

    [Fact]
    public async Task ARouteOfAlerts_AlertsEveryMatchingMessageOnce_WhileTheJsonlSinkWithoutARouteGetsThemAll()
    {
        var sent = new List<(long Chat, string Text)>();
        for (var i = 0; i < 24; i++)
        {
            var chat = i % 3 == 0 ? -100955L : Watched;
            var text = i % 4 == 0 ? $"URGENT price {i}" : $"price {i}";
            sent.Add((chat, text));
            await SendAsync(text, chat);
        }
        var config = Path.Combine(_dir, "tgwatch.json");
        await File.WriteAllTextAsync(config, $$"""
            { "Sinks": [ "jsonl:{{Jsonl}}", { "Sink": "telegram:{{Watched}}", "Text": "urgent", "Chats": ["{{Watched}}"] } ] }
            """);
        using var run = Tgwatch.Start("run", "--config", config, "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(), "--state", State);
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        var expected = sent.Where(s => s.Chat == Watched && s.Text.StartsWith("URGENT", StringComparison.Ordinal)).Select(s => s.Text).Order().ToList();
        await Eventually.TrueAsync(async () => Lines(Jsonl) == sent.Count && (await AlertsAsync()).Count >= expected.Count, "all written, the matching alerted", Tgwatch.Patience);
        await StopAsync(run, stderr);
        Assert.Equal(sent.Select(s => s.Text).Order(), File.ReadAllLines(Jsonl).Select(l => Messages.TgMessageJson.Parse(l).Text!).Order());
        Assert.Equal(expected, (await AlertsAsync()).Select(Body).Order());
    }
}
