using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Tgwatch.Messages;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary><c>tgwatch run</c> with a webhook sink, and <c>tgwatch outbox</c>, as real processes against the Bot API sandbox and a loopback endpoint.</summary>
public sealed class WebhookRunTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string PathSecret = "s3cr3t-path-token-0123456789";
    private const string QuerySecret = "qu3ry-secret-abcdef";
    private readonly string _dir = Some.TempDirectory("tgwatch-webhook");
    private BotApiSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private string State => Path.Combine(_dir, "state.db");

    private string[] RunArgs(params string[] more) =>
        ["run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(), "--state", State, .. more];

    private Task SendAsync(string text) =>
        _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100900, Text = text, From = new SandboxUser { Id = 5, FirstName = "Eve" } });

    /// <summary>Stops a run with SIGTERM; returns what it logged.</summary>
    private async Task<string> StopAsync(Process process, Task<string> stderr)
    {
        Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        var log = await stderr;
        output.WriteLine(log);
        Assert.Equal(0, process.ExitCode);
        return log;
    }

    private static string TextOf(string json) => TgMessageJson.Parse(json).Text!;

    [Fact]
    public async Task StopSummary_CountsTheRecordsTheWebhookDeadLettered_AfterThePipelineHandedThemOver()
    {
        await using var server = WebhookServer.Start(r => r.Messages.Any(m => TextOf(m).StartsWith("poison", StringComparison.Ordinal)) ? new WebhookAnswer(400) : WebhookAnswer.Ok);
        for (var i = 0; i < 8; i++) await SendAsync(i % 3 == 1 ? $"poison {i}" : $"fine {i}");
        using var run = Tgwatch.Start(RunArgs("--sink", $"webhook:{server.Url}"));
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => server.DeliveredKeys.Count == 5 && server.Requests.Count(r => r.Status == 400 && r.Keys.Count == 1) == 3, "5 delivered, 3 refused alone", TimeSpan.FromSeconds(60));

        var log = await StopAsync(run, stderr);

        Assert.Equal(["fine 0", "fine 2", "fine 3", "fine 5", "fine 6"], server.Delivered.SelectMany(r => r.Messages).Select(TextOf));
        Assert.Contains("Stopped: 8 received, 8 written, 0 duplicates skipped, 3 dead letters", log);
        Assert.Contains("records sent alone with HTTP 400", log);
        var list = await Tgwatch.RunAsync(null, "deadletters", "list", "--state", State);
        Assert.Equal(3, list.Lines.Count);
    }

    [Fact]
    public async Task AChangedWebhookAddress_StartSaysWhatWaitsForTheOldOne_AndOutboxMoveHandsItToTheNew()
    {
        var old = $"http://127.0.0.1:{WebhookServer.FreePort()}/hook/{PathSecret}?key={QuerySecret}"; // nobody listens there
        using (var first = Tgwatch.Start(RunArgs("--sink", $"webhook:{old}", "--sink", $"jsonl:{Path.Combine(_dir, "out.jsonl")}")))
        {
            first.StandardInput.Close();
            var stderr = first.StandardError.ReadToEndAsync();
            for (var i = 0; i < 3; i++) await SendAsync($"queued {i}");
            await Eventually.TrueAsync(() => File.Exists(Path.Combine(_dir, "out.jsonl")) && File.ReadAllLines(Path.Combine(_dir, "out.jsonl")).Length == 3, "three written", TimeSpan.FromSeconds(60));
            Assert.DoesNotContain(PathSecret, await StopAsync(first, stderr));
        }

        // The webhook's address changes: the new run says what waits for the old one, and how to move it. Its first answer comes
        // only after the test (the time-out alone ends that request), the others at once: well within a time-out of seconds, on
        // a loaded machine too, so the batch goes exactly twice.
        var slowOnce = 0;
        await using var server = WebhookServer.Start(_ => Interlocked.Exchange(ref slowOnce, 1) == 0 ? WebhookAnswer.Ok with { Delay = TimeSpan.FromMinutes(5) } : WebhookAnswer.Ok);
        var fresh = $"webhook:{server.Url}";
        string hint;
        using (var second = Tgwatch.Start(RunArgs("--sink", fresh, "--webhook-timeout", "5s")))
        {
            second.StandardInput.Close();
            var stderr = second.StandardError.ReadToEndAsync();
            await SendAsync("new 0");
            await Eventually.TrueAsync(() => server.Requests.Count == 2, "the new message sent, and again after the timeout", TimeSpan.FromSeconds(60));
            var log = await StopAsync(second, stderr);
            hint = Assert.Single(log.Split('\n'), l => l.Contains("records wait for", StringComparison.Ordinal));
            Assert.DoesNotContain(PathSecret, log);
            Assert.DoesNotContain(QuerySecret, log);
        }
        Assert.Matches(@"3 records wait for webhook:http://127\.0\.0\.1:\d+/…#[0-9a-f]{8}, a webhook this run does not send to", hint);
        var move = Regex.Match(hint, @"tgwatch outbox move --from '([^']+)' --to '([^']+)'");
        Assert.True(move.Success, hint);
        Assert.Contains($"tgwatch outbox drop --from '{move.Groups[1].Value}'", hint);
        // The endpoint slower than --webhook-timeout got the same batch again, with the same Idempotency-Key.
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal(server.Requests[0].Keys, server.Requests[1].Keys);
        Assert.Equal(server.Requests[0].IdempotencyKey, server.Requests[1].IdempotencyKey);

        var moved = await Tgwatch.RunAsync(null, "outbox", "move", "--from", move.Groups[1].Value, "--to", move.Groups[2].Value, "--state", State);
        Assert.Equal(0, moved.ExitCode);
        Assert.Equal($"[tgwatch] moved 3 records from {move.Groups[1].Value} to {move.Groups[2].Value}; the next run sends them\n", moved.Stderr);

        using (var third = Tgwatch.Start(RunArgs("--sink", fresh)))
        {
            third.StandardInput.Close();
            var stderr = third.StandardError.ReadToEndAsync();
            await Eventually.TrueAsync(() => server.DeliveredKeys.Distinct().Count() == 4, "the moved records sent", TimeSpan.FromSeconds(60));
            Assert.DoesNotContain("records wait for", await StopAsync(third, stderr));
        }
        // At least once: a run stopped before the endpoint's answer to "new 0" came sends it again on the next run.
        Assert.Equal(["new 0", "queued 0", "queued 1", "queued 2"],
            server.Delivered.Skip(1).SelectMany(r => r.Messages).Select(TextOf).Distinct());
        var status = await Tgwatch.RunAsync(null, "status", "--state", State);
        Assert.DoesNotContain("outbox ", status.Output);
    }

    [Fact]
    public async Task OutboxDrop_AsksNothing_PrintsHowMany_AndAWrongNameIsOneLine()
    {
        var old = $"https://hooks.example.com/services/{PathSecret}";
        var name = global::Tgwatch.Sinks.Webhook.SafeUrl.SinkName(new Uri(old));
        await using (var store = await global::Tgwatch.Sqlite.SqliteStateStore.OpenAsync(State, TimeProvider.System, CancellationToken.None))
        {
            var items = SomeMessage.Batch(1, 4).Select(m => new global::Tgwatch.Storage.OutboxItem(m.Key, TgMessageJson.ToUtf8(m))).ToList();
            await store.Outbox.EnqueueAsync(name, items, CancellationToken.None);
        }

        var wrong = await Tgwatch.RunAsync(null, "outbox", "drop", "--from", "webhook:https://hooks.example.com/other", "--state", State);
        Assert.Equal(2, wrong.ExitCode);
        var other = global::Tgwatch.Sinks.Webhook.SafeUrl.SinkName(new Uri("https://hooks.example.com/other"));
        Assert.Equal($"tgwatch outbox drop: no records wait for {other} (records wait for: {name})\n", wrong.Stderr);
        var nonsense = await Tgwatch.RunAsync(null, "outbox", "move", "--from", "yesterday", "--to", "webhook:https://x.example/", "--state", State);
        Assert.Equal(2, nonsense.ExitCode);
        Assert.StartsWith("tgwatch outbox move: --from expects a webhook", Assert.Single(nonsense.Stderr.TrimEnd('\n').Split('\n')));

        var dropped = await Tgwatch.RunAsync(null, "outbox", "drop", "--from", $"webhook:{old}", "--state", State);
        Assert.Equal((0, $"[tgwatch] dropped 4 records waiting for {name}\n"), (dropped.ExitCode, dropped.Stderr));
        Assert.DoesNotContain(PathSecret, dropped.Stderr);
        var status = await Tgwatch.RunAsync(null, "status", "--state", State, "--json");
        Assert.Contains("\"outbox\": {}", status.Output);
    }

    [Theory]
    [InlineData("--webhook-timeout", "0", "--webhook-timeout: must be between 1ms and 1h00m, not '0'")]
    [InlineData("--webhook-timeout", "soon", "--webhook-timeout: expected a duration such as 30s, 2m or 00:00:30, not 'soon'")]
    [InlineData("--webhook-timeout", "2h", "--webhook-timeout: must be between 1ms and 1h00m, not '2h'")]
    public async Task AWrongWebhookTimeout_IsOneLineAndExitCode2(string option, string value, string expected)
    {
        var run = await Tgwatch.RunAsync(null, [.. RunArgs("--sink", "webhook:http://127.0.0.1:9/hook"), option, value]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, Assert.Single(run.Stderr.TrimEnd('\n').Split('\n')));
    }

    [Fact]
    public async Task AWrongWebhookTimeoutInTheConfigFile_IsOneLineNamingTheKey()
    {
        var config = Path.Combine(_dir, "tgwatch.json");
        await File.WriteAllTextAsync(config, """{"WebhookTimeout": "a while"}""");

        var run = await Tgwatch.RunAsync(null, [.. RunArgs("--sink", "webhook:http://127.0.0.1:9/hook"), "--config", config]);

        Assert.Equal((2, $"tgwatch run: {config}: WebhookTimeout: expected a duration such as 30s, 2m or 00:00:30, not 'a while'\n"), (run.ExitCode, run.Stderr));
    }
}
