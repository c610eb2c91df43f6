using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Tgwatch.Messages;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Sinks.Webhook;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>What a newcomer stumbled on in a first hour, acted out as they did.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class NewcomerTests
{
    private readonly string _dir = Some.TempDirectory("tgwatch-newcomer");

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public async Task QuietListRules_WritesTheListingToStdout_SoGrepAndFilesGetIt()
    {
        var run = await Tgwatch.RunAsync(null, "quiet", "--list-rules");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.Lines, l => l.Contains("asyncio", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task ImportOfAMissingFile_IsOneLineInWords_AndLeavesNoStateStoreBehind()
    {
        var run = await Tgwatch.RunAsync(null, "import", P("nonexistent.jsonl"), "--sink", "console", "--state", P("st.db"));
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"tgwatch import: cannot read {P("nonexistent.jsonl")}: no such file\n", run.Stderr);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task StatusAndDeadLettersList_OnAMissingStore_GiveTheSameAnswer()
    {
        var status = await Tgwatch.RunAsync(null, "status", "--state", P("missing.db"));
        var list = await Tgwatch.RunAsync(null, "deadletters", "list", "--state", P("missing.db"));
        Assert.Equal((2, $"tgwatch status: no state store at {P("missing.db")} (nothing has run with it yet)\n"), (status.ExitCode, status.Stderr));
        Assert.Equal((2, $"tgwatch deadletters list: no state store at {P("missing.db")} (nothing has run with it yet)\n"), (list.ExitCode, list.Stderr));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task LogLevelHelp_SpeaksOneVocabulary()
    {
        var help = await Tgwatch.RunAsync(null, "run", "--help");
        var line = Assert.Single(help.Lines, l => l.TrimStart().StartsWith("--log-level", StringComparison.Ordinal));
        Assert.Contains("--log-level <trace|debug|info|warn|error>", line);
        Assert.DoesNotContain("Information", line);
        Assert.DoesNotContain("Critical", line);
    }

    private string ThreeRecords()
    {
        File.WriteAllLines(P("three.jsonl"), [.. Enumerable.Range(1, 3).Select(i => TgMessageJson.ToJson(SomeMessage.New(i, i == 2 ? "poison" : $"fine {i}", chatId: -100)))]);
        return P("three.jsonl");
    }

    [Fact]
    public async Task ImportToAWebhookThatRefusesEveryRequest_SaysTheRecordsWaitInItsOutbox_NotThatTheyWereDelivered()
    {
        await using var server = WebhookServer.Start(_ => new WebhookAnswer(404));
        var url = new Uri(server.Url, "nope");

        var run = await Tgwatch.RunAsync(null, "import", ThreeRecords(), "--sink", $"webhook:{url}", "--state", P("st.db"));

        Assert.Equal(0, run.ExitCode);
        var summary = Assert.Single(run.Stderr.Split('\n'), l => l.StartsWith("[tgwatch] import done:", StringComparison.Ordinal));
        Assert.Equal($"[tgwatch] import done: 3 records read, 3 written, 0 already there, 0 filtered out, 0 bad lines, 0 dead letters; " +
            $"{SafeUrl.SinkName(url)}: 0 delivered, 3 waiting in its outbox (the next run or import sends them)", summary);
        Assert.Contains("refuses every request (HTTP 404", run.Stderr);
        Assert.Empty(server.Delivered);
    }

    [Fact]
    public async Task ImportToAWebhookThatRefusesOneRecordAlone_CountsItsDeadLetter_AndTheOthersDelivered()
    {
        await using var server = WebhookServer.Start(r => r.Messages.Any(m => TgMessageJson.Parse(m).Text == "poison") ? new WebhookAnswer(400) : WebhookAnswer.Ok);

        var run = await Tgwatch.RunAsync(null, "import", ThreeRecords(), "--sink", $"webhook:{server.Url}", "--state", P("st.db"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"[tgwatch] import done: 3 records read, 3 written, 0 already there, 0 filtered out, 0 bad lines, 1 dead letters; " +
            $"{SafeUrl.SinkName(server.Url)}: 2 delivered, 0 waiting in its outbox\n", run.Stderr);
        Assert.Equal(2, server.DeliveredKeys.Count);
        var list = await Tgwatch.RunAsync(null, "deadletters", "list", "--state", P("st.db"));
        Assert.Single(list.Lines, l => l.Contains("sink:", StringComparison.Ordinal));
    }
    [Fact]
    public async Task Sandbox_InjectedIntoWithItsOwnHint_CountsThoseRequestsAtShutdown()
    {
        using var process = Tgwatch.Start("sandbox");
        process.StandardInput.Close();
        try
        {
            await process.StandardOutput.ReadLineAsync().WaitAsync(Tgwatch.Patience);
            var hint = await process.StandardOutput.ReadLineAsync().WaitAsync(Tgwatch.Patience);
            // The hint's curl, as printed: its URL and its JSON body.
            var curl = HintCurl().Match(hint ?? "");
            Assert.True(curl.Success, hint);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            for (var i = 0; i < 2; i++)
            {
                using var injected = await http.PostAsync(curl.Groups["url"].Value,
                    new StringContent(curl.Groups["body"].Value, System.Text.Encoding.UTF8, "application/json"));
                Assert.True(injected.IsSuccessStatusCode);
            }
        }
        finally
        {
            // Ctrl-C.
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        }
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        Assert.Equal(0, process.ExitCode);
        Assert.Equal("[tgwatch] sandbox stopped: 2 requests served (0 Bot API, 2 admin), 0 faults injected\n", await stderr);
    }

    [Fact]
    public async Task DemoForFiveSeconds_SaysHowLongItAskedAndTook_AndPrintsTheMessagesInTheOrderTheyWereSent()
    {
        var clock = Stopwatch.StartNew();
        var run = await Tgwatch.RunAsync(null, "demo", "--seconds", "5");
        var wall = clock.Elapsed;

        Assert.Equal(0, run.ExitCode);
        var summary = Assert.Single(run.Stderr.Split('\n'), l => l.StartsWith("[tgwatch] demo: messages for ", StringComparison.Ordinal));
        var took = DemoTook().Match(summary);
        Assert.True(took.Success, summary);
        // The asked time, and what it took: a loaded machine may take longer, never less.
        var sent = double.Parse(took.Groups["sent"].Value, CultureInfo.InvariantCulture);
        var total = double.Parse(took.Groups["total"].Value, CultureInfo.InvariantCulture);
        Assert.InRange(sent, 4.5, total);
        Assert.InRange(total, 4.5, wall.TotalSeconds);
        // The faults' lengths are those of this demo, a quarter of the 20-second one.
        Assert.Contains("connections refused (1.3s)", summary);
        Assert.Contains("link stalled (750ms)", summary);

        // Messages come out in the order they were sent (their HH:mm:ss never goes back), not chat by chat.
        var times = run.Lines.Select(l => TimeSpan.ParseExact(l[..8], @"hh\:mm\:ss", CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(40, times.Count);
        for (var i = 1; i < times.Count; i++)
            Assert.True(times[i] >= times[i - 1], $"line {i + 1} ({run.Lines[i]}) came after line {i} ({run.Lines[i - 1]})");
    }

    [GeneratedRegex(@"^\[tgwatch\] demo: messages for (?<sent>\d+(\.\d)?)s \(asked 5s\), (?<total>\d+(\.\d)?)s in all; faults: ")]
    private static partial Regex DemoTook();

    [Fact]
    public async Task RunWithAJsonlSink_SaysOnceThatMessagesArrive_ByTheirIdsNotTheirText()
    {
        await using var sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);
        for (var i = 0; i < 3; i++)
            await sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100777, Text = $"private words {i}", From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        using var process = Tgwatch.Start("run", "--bot-token", sandbox.Token, "--bot-api-url", sandbox.BaseUrl.ToString(),
            "--sink", $"jsonl:{P("out.jsonl")}", "--state", P("state.db"));
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await Eventually.TrueAsync(() => Lines(P("out.jsonl")) >= 3 || process.HasExited, "three lines", Tgwatch.Patience);
            Assert.Equal(3, Lines(P("out.jsonl")));
        }
        finally
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            try { await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience); }
            finally { if (!process.HasExited) process.Kill(entireProcessTree: true); }
        }
        Assert.Equal(0, process.ExitCode);
        var log = (await stderr).TrimEnd('\n').Split('\n');
        Assert.Equal(3, log.Length);
        Assert.Contains(" info Tgwatch.BotApi: Bot API: connected as ", log[0]);
        Assert.EndsWith(" info Tgwatch.Pipeline: First message received: chat -100777, message 1", log[1]);
        Assert.Contains(" info Tgwatch.Run: Stopped: 3 received, 3 written", log[2]);
        Assert.DoesNotContain("private words", string.Join('\n', log));
    }

    private static int Lines(string path) => File.Exists(path) ? File.ReadAllLines(path).Length : 0;

    [GeneratedRegex(@"curl -s (?<url>\S+) -H 'Content-Type: application/json' -d '(?<body>[^']*)'$")]
    private static partial Regex HintCurl();
}
