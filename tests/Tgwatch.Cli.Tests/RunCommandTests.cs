using Tgwatch.Noise;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary><c>tgwatch run</c>'s configuration as a user meets it: every mistake is one line naming the key, exit code 2.</summary>
public sealed class RunCommandTests
{
    private const string Token = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ012345678";
    private readonly string _dir = Some.TempDirectory("tgwatch-run");

    [Theory]
    [InlineData("no bot token: give --bot-token, set TGWATCH__BOTAPI__TOKEN, or BotApi.Token in tgwatch.json")]
    [InlineData("BotApi:Token: expected the form", "--bot-token", "nope")]
    [InlineData("Sinks: --sink 'bogus' is not one of", "--bot-token", Token, "--sink", "bogus")]
    [InlineData("Sinks: --sink 'bogus' is not one of", "--bot-token", Token, "--chat", "@news", "--sink", "bogus")] // @news is a username, not a response file
    [InlineData("chat \"news\" is neither a numeric id nor an @username", "--bot-token", Token, "--chat", "news")]
    [InlineData("BotApi:Url: expected an http(s) address", "--bot-token", Token, "--bot-api-url", "ftp://x")]
    [InlineData("no TDLib api id and api hash: give --api-id and --api-hash", "--bot-token", Token, "--connector", "tdlib")]
    [InlineData("Connector: 'mtproto' is not one of botapi, tdlib", "--connector", "mtproto")]
    [InlineData("configuration file /nonexistent.json does not exist", "--config", "/nonexistent.json")]
    [InlineData("--noise-first expects full, line or none, not 'loud'", "--bot-token", Token, "--noise-first", "loud")]
    [InlineData("Lease: a lease is shared through a state store in PostgreSQL: give --state postgres:CONNECTION-STRING too", "--bot-token", Token, "--lease", "10s")]
    [InlineData("Lease: expected a duration such as 10s or 1m, not 'soon'", "--bot-token", Token, "--lease", "soon", "--state", "postgres:Host=127.0.0.1;Database=x")]
    [InlineData("Lease: must be between 2s and 10m, not '1s'", "--bot-token", Token, "--lease", "1s", "--state", "postgres:Host=127.0.0.1;Database=x")]
    public async Task BadSettings_AreOneLineNamingTheKey_ExitCode2(string expected, params string[] args)
    {
        var run = await Tgwatch.RunAsync(null, ["run", .. args, "--data-dir", _dir]);
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("tgwatch run: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain(Token, run.Stderr);
    }

    [Fact]
    public async Task AnUnknownNoiseFirstInTheConfigFile_IsOneLineNamingTheKeyAndTheValuesItTakes()
    {
        var config = Path.Combine(_dir, "noise.json");
        await File.WriteAllTextAsync(config, $$$"""{"BotApi": {"Token": "{{{Token}}}"}, "Noise": {"First": "sometimes"}}""");
        var run = await Tgwatch.RunAsync(null, "run", "--config", config, "--data-dir", _dir);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"tgwatch run: {config}: Noise:First: expected full, line or none, not 'sometimes'\n", run.Stderr);
    }

    [Theory]
    [InlineData(null, null, FirstRecord.Line)]
    [InlineData("full", null, FirstRecord.Full)]
    [InlineData("None", null, FirstRecord.None)]
    [InlineData("full", "none", FirstRecord.None)]
    public void TheRunsNoiseGate_TakesNoiseFirstFromTheConfigThenTheFlag_AndIsOneLineByDefault(string? inFile, string? flag, FirstRecord expected)
    {
        var config = Path.Combine(_dir, "tgwatch.json");
        File.WriteAllText(config, inFile is null ? "{}" : $$$"""{"Noise": {"First": "{{{inFile}}}"}}""");
        var settings = Run.RunSettingsReader.ForRun(config, new Dictionary<string, string?> { ["BotApi:Token"] = Token, ["Noise:First"] = flag }, null, null);
        Assert.Equal(expected, settings.NoiseOptions.First);
    }

    [Fact]
    public async Task AConfigFileWithAnUnknownKeyOrBrokenJson_IsRefused()
    {
        var unknown = Path.Combine(_dir, "unknown.json");
        await File.WriteAllTextAsync(unknown, $$$"""{"BotApi": {"Token": "{{{Token}}}", "PollTimeout": 5}}""");
        var run = await Tgwatch.RunAsync(null, "run", "--config", unknown);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown setting BotApi:PollTimeout (did you mean BotApi:PollTimeoutSeconds?)", run.Stderr);

        var broken = Path.Combine(_dir, "broken.json");
        await File.WriteAllTextAsync(broken, """{"BotApi": {"Token": }""");
        run = await Tgwatch.RunAsync(null, "run", "--config", broken);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("not valid JSON (line 1", run.Stderr);
    }
}
