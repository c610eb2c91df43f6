using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// Every problem of a configuration is said in one go, one line each, naming where the setting was written and its key
/// (never its value), exit code 2: unknown keys, values of the wrong type and values out of their range alike.
/// </summary>
public sealed class SettingsReportTests
{
    private const string Token = "123456:AAHabcdefghijklmnopqrstuvwxyz0123456";
    private readonly string _dir = Some.TempDirectory("tgwatch-report");

    private string P(string name) => Path.Combine(_dir, name);

    private static string[] Lines(ProcessResult run)
    {
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.DoesNotContain("123456", run.Stderr);
        Assert.DoesNotContain("Exception", run.Stderr);
        return run.Stderr.TrimEnd('\n').Split('\n');
    }

    [Fact]
    public async Task ThreeBadValuesInTheFile_AreThreeLines_InOneRun()
    {
        var config = P("tgwatch.json");
        await File.WriteAllTextAsync(config, $$$"""
            {
              "BotApi": {"Token": "{{{Token}}}", "PollTimeoutSeconds": 9999},
              "Pipeline": {"BatchSize": 0},
              "Colour": "blue"
            }
            """);

        var run = await Tgwatch.RunAsync(null, "run", "--config", config, "--data-dir", _dir);

        Assert.Equal(
        [
            $"tgwatch run: {config}: unknown setting Colour",
            $"tgwatch run: {config}: BotApi:PollTimeoutSeconds: between 0 and 600",
            $"tgwatch run: {config}: Pipeline:BatchSize: between 1 and 100000",
        ], Lines(run));
    }

    [Fact]
    public async Task ProblemsOfTheFileTheEnvironmentAndTheFlags_AreEachNamedWhereTheyWereWritten()
    {
        var config = P("tgwatch.json");
        await File.WriteAllTextAsync(config, """{"Pipeline": {"RetryDelay": "2.00:00:00", "MaxBackoff": "00:00:01"}, "Sinks": ["console", "console"]}""");
        var environment = new Dictionary<string, string> { ["TGWATCH__BOTAPI__MAXBACKOFFSECONDS"] = "0", ["TGWATCH__PIPELINE__CAPACITY"] = "many" };

        using var process = Tgwatch.StartWith(environment, "run", "--config", config, "--bot-token", Token, "--bot-api-url", "ftp://x", "--data-dir", _dir);
        var run = await ProcessRun.WaitAsync(process, null, TimeSpan.FromSeconds(90));

        Assert.Equal(
        [
            "tgwatch run: environment variable TGWATCH__PIPELINE__CAPACITY: PIPELINE:CAPACITY: expected a whole number (up to 2147483647)",
            "tgwatch run: BotApi:Url: expected an http(s) address",
            "tgwatch run: environment variable TGWATCH__BOTAPI__MAXBACKOFFSECONDS: BotApi:MaxBackoffSeconds: between 1 and 3600",
            $"tgwatch run: {config}: Pipeline:RetryDelay: at most a day (1.00:00:00)",
            $"tgwatch run: {config}: Pipeline:MaxBackoff: must not be shorter than MinBackoff",
            $"tgwatch run: {config}: Sinks: --sink console is given twice",
        ], Lines(run));
    }

    [Fact]
    public async Task AMissingTokenBesideAKeyWrittenWrong_IsLeftForTheKeyToSay()
    {
        var config = P("tgwatch.json");
        await File.WriteAllTextAsync(config, $$$"""{"BotApi": {"Tokn": "{{{Token}}}", "PollTimeoutSeconds": 9999}}""");

        var run = await Tgwatch.RunAsync(null, "run", "--config", config, "--data-dir", _dir);

        Assert.Equal(
        [
            $"tgwatch run: {config}: unknown setting BotApi:Tokn (did you mean BotApi:Token?)",
            $"tgwatch run: {config}: BotApi:PollTimeoutSeconds: between 0 and 600",
        ], Lines(run));
    }

    [Fact]
    public async Task NoCredentialsForTdlib_IsOneLineSayingWhatToSet()
    {
        var run = await Tgwatch.RunAsync(null, "run", "--connector", "tdlib", "--data-dir", _dir);

        Assert.Equal(["tgwatch run: no TDLib api id and api hash: give --api-id and --api-hash, set TGWATCH__TDLIB__APIID and TGWATCH__TDLIB__APIHASH, or Tdlib.ApiId and Tdlib.ApiHash in tgwatch.json (from https://my.telegram.org)"], Lines(run));
    }
}
