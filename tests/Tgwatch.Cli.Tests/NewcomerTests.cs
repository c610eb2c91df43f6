using Tgwatch.Messages;
using Tgwatch.Sinks.Webhook;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>What a newcomer stumbled on in a first hour, acted out as they did.</summary>
public sealed class NewcomerTests
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
}
