using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// Settings the program does not know, as a user writes them (a typo in tgwatch.json, an environment variable): each is one
/// line naming where it was written and the key as written, with the setting meant when one is close, never its value.
/// </summary>
public sealed class UnknownSettingsTests
{
    // A token's shape (not a real one); nobody registers it before the configuration is read.
    private const string Token = "123456:AAHabcdefghijklmnopqrstuvwxyz0123456";
    private readonly string _dir = Some.TempDirectory("tgwatch-settings");

    /// <summary>Runs tgwatch in the test's directory, where tgwatch.json is found without --config.</summary>
    private Task<ProcessResult> RunHereAsync(string json, string args)
    {
        File.WriteAllText(Path.Combine(_dir, "tgwatch.json"), json);
        return ProcessRun.RunAsync("bash", ["-c", $"cd {_dir} && {Tgwatch.Shell} {args} --data-dir {_dir}"], timeout: TimeSpan.FromSeconds(90));
    }

    private static string[] Lines(ProcessResult run)
    {
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.DoesNotContain("123456", run.Stderr);
        Assert.DoesNotContain("AAHabc", run.Stderr);
        Assert.DoesNotContain("Exception", run.Stderr);
        Assert.DoesNotContain("BinderOptions", run.Stderr);
        return run.Stderr.TrimEnd('\n').Split('\n');
    }

    [Fact]
    public async Task AMisspeltKeyInTgwatchJson_IsNamedAsWritten_WithTheSettingItResembles()
    {
        var run = await RunHereAsync($$$"""{"BotApi": {"Tokn": "{{{Token}}}"}}""", "run");
        Assert.Equal(["tgwatch run: tgwatch.json: unknown setting BotApi:Tokn (did you mean BotApi:Token?)"], Lines(run));
    }

    [Fact]
    public async Task TwoUnknownKeys_AreTwoLines_InOneRun()
    {
        var run = await RunHereAsync($$$"""{"Conector": "botapi", "BotApi": {"Tokn": "{{{Token}}}", "PollTimeout": 5}, "Pipeline": {"DrainTimout": "00:00:05"}}""", "run");
        Assert.Equal(
        [
            "tgwatch run: tgwatch.json: unknown setting BotApi:PollTimeout (did you mean BotApi:PollTimeoutSeconds?)",
            "tgwatch run: tgwatch.json: unknown setting BotApi:Tokn (did you mean BotApi:Token?)",
            "tgwatch run: tgwatch.json: unknown setting Conector (did you mean Connector?)",
            "tgwatch run: tgwatch.json: unknown setting Pipeline:DrainTimout (did you mean Pipeline:DrainTimeout?)",
        ], Lines(run));
    }

    [Fact]
    public async Task AMisspeltSection_IsNamedOnce_WithTheSectionItResembles()
    {
        var run = await RunHereAsync($$$"""{"BotAp": {"Token": "{{{Token}}}", "Url": "http://127.0.0.1:9/"}}""", "run");
        Assert.Equal(["tgwatch run: tgwatch.json: unknown setting BotAp (did you mean BotApi?)"], Lines(run));
    }

    [Fact]
    public async Task AKeyNothingResembles_IsNamedWithoutASuggestion()
    {
        var run = await RunHereAsync($$$"""{"BotApi": {"Token": "{{{Token}}}"}, "Colour": "{{{Token}}}"}""", "run");
        Assert.Equal(["tgwatch run: tgwatch.json: unknown setting Colour"], Lines(run));
    }

    [Fact]
    public async Task AFileGivenWithConfig_IsNamedAsGiven()
    {
        var file = Path.Combine(_dir, "my settings.json");
        await File.WriteAllTextAsync(file, $$$"""{"botapi": {"tokn": "{{{Token}}}"}}""");
        var run = await Tgwatch.RunAsync(null, "run", "--config", file, "--data-dir", _dir);
        Assert.Equal([$"tgwatch run: {file}: unknown setting botapi:tokn (did you mean BotApi:Token?)"], Lines(run));
    }

    [Theory]
    [InlineData("run")]
    [InlineData("login")]
    [InlineData("chats")]
    public async Task AMisspeltEnvironmentVariable_IsNamedAsSet_WithTheVariableItResembles(string command)
    {
        using var process = Tgwatch.StartWith(new Dictionary<string, string> { ["TGWATCH__BOTAPI__TOKN"] = Token },
            command, "--data-dir", _dir);
        var run = await ProcessRun.WaitAsync(process, null, TimeSpan.FromSeconds(90));
        Assert.Equal([$"tgwatch {command}: environment variable TGWATCH__BOTAPI__TOKN: unknown setting (did you mean TGWATCH__BOTAPI__TOKEN?)"], Lines(run));
    }

    [Theory]
    [InlineData("login")]
    [InlineData("chats")]
    public async Task AMisspeltKeyInTgwatchJson_IsNamedTheSameByLoginAndChats(string command)
    {
        var run = await RunHereAsync("""{"Tdlib": {"ApiHsh": "0123456789abcdef0123456789abcdef"}}""", command);
        Assert.Equal([$"tgwatch {command}: tgwatch.json: unknown setting Tdlib:ApiHsh (did you mean Tdlib:ApiHash?)"], Lines(run));
        Assert.DoesNotContain("0123456789abcdef", run.Stderr);
    }

    [Fact]
    public async Task UnknownKeysOfTheFileAndOfTheEnvironment_AreAllNamed_WithTheirOtherProblems()
    {
        File.WriteAllText(Path.Combine(_dir, "tgwatch.json"), $$$"""{"BotApi": {"Token": "{{{Token}}}", "PollTimeoutSeconds": "{{{Token}}}"}, "Sink": ["console"]}""");
        using var process = ProcessRun.Start("bash", ["-c", $"cd {_dir} && {Tgwatch.Shell} run --data-dir {_dir}"],
            environment: new Dictionary<string, string> { ["TGWATCH__BOGUS__X"] = Token, ["TGWATCH__BOGUS__Y"] = Token });
        var run = await ProcessRun.WaitAsync(process, null, TimeSpan.FromSeconds(90));
        Assert.Equal(
        [
            "tgwatch run: tgwatch.json: BotApi:PollTimeoutSeconds: expected a whole number (up to 2147483647)",
            "tgwatch run: tgwatch.json: unknown setting Sink (did you mean Sinks?)",
            "tgwatch run: environment variable TGWATCH__BOGUS__X: unknown setting",
            "tgwatch run: environment variable TGWATCH__BOGUS__Y: unknown setting",
        ], Lines(run));
    }

    [Fact]
    public async Task ATgwatchJsonWithCommentsAndTrailingCommas_IsRead()
    {
        // Every value is read past the comments: the last one, out of its range, is the one the run refuses.
        var json = $$$"""
            // Tgwatch's settings; a comment for each.
            {
              /* Which connector: botapi or tdlib. */
              "Connector": "botapi", // the default
              "BotApi": {
                "Token": "{{{Token}}}", // from BotFather
                "Url": "http://127.0.0.1:9/",
                "MaxBackoff": "00:00:00", /* out of range on purpose */
              },
              "Chats": [
                "@news", // by username
                "-1001234567890",
              ],
            }
            """;
        var run = await RunHereAsync(json, "run");
        Assert.Equal(["tgwatch run: tgwatch.json: BotApi:MaxBackoff: at least 1s (00:00:01)"], Lines(run));
    }
}
