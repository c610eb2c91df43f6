using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// Mistakes as a user makes them, run through the real program: each is one line in the user's words with exit code 2,
/// never a .NET message, a stack trace or a secret.
/// </summary>
public sealed class SecretsAndErrorsTests
{
    // A token's shape (not a real one); nobody registers it before the configuration is read.
    private const string Token = "123456:AAHabcdefghijklmnopqrstuvwxyz0123456";
    private readonly string _dir = Some.TempDirectory("tgwatch-errors");

    private string P(string name) => Path.Combine(_dir, name);

    private static string OneLine(ProcessResult run, string command)
    {
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"tgwatch {command}: ", line);
        Assert.DoesNotContain("Exception", line);
        Assert.DoesNotContain("System.", line);
        Assert.DoesNotContain("BinderOptions", line);
        return line;
    }

    [Theory]
    [InlineData($$$"""{"BotApi": "{{{Token}}}"}""", "BotApi: expected a section of settings, not a single value")]
    [InlineData($$$"""{"Bot": "{{{Token}}}"}""", "unknown key 'Bot'")]
    [InlineData($$$"""{"BotApi": {"Token": "{{{Token}}}", "PollTimeoutSeconds": "{{{Token}}}"}}""", "BotApi:PollTimeoutSeconds: expected a whole number")]
    [InlineData($$$"""{"Chats": "{{{Token}}}"}""", "Chats: expected a list, not a single value")]
    [InlineData($$$"""{"Pipeline": {"DrainTimeout": "{{{Token}}}"}}""", "Pipeline:DrainTimeout: expected a duration")]
    [InlineData($$$"""{"WebhookSecret": "s3cr3t-webhook-key",{{{"\n"}}} "BotApi": {"Token": "{{{Token}}}", }""", "not valid JSON (line 2")]
    public async Task AConfigurationError_NeverEchoesAValue(string json, string expected)
    {
        await File.WriteAllTextAsync(P("tgwatch.json"), json);
        var run = await Tgwatch.RunAsync(null, "run", "--config", P("tgwatch.json"), "--data-dir", _dir);
        var line = OneLine(run, "run");
        Assert.Contains($"configuration file {P("tgwatch.json")}: {expected}", line);
        Assert.DoesNotContain("123456", run.Stderr);
        Assert.DoesNotContain("s3cr3t", run.Stderr);
    }

    [Fact]
    public async Task AnUnknownEnvironmentVariable_IsNamedAsItWasSet()
    {
        using var process = Tgwatch.StartWith(new Dictionary<string, string> { ["TGWATCH__BOGUS__X"] = Token }, "run", "--bot-token", Token, "--data-dir", _dir);
        var run = await ProcessRun.WaitAsync(process, null, TimeSpan.FromSeconds(60));
        var line = OneLine(run, "run");
        Assert.Equal("tgwatch run: environment variable TGWATCH__BOGUS__X: unknown key 'BOGUS'", line);
    }

    [Fact]
    public async Task AFlagOfTheWrongType_IsNamedWithoutItsValue()
    {
        var run = await Tgwatch.RunAsync(null, "run", "--connector", "tdlib", "--api-id", Token, "--api-hash", "0123456789abcdef0123456789abcdef", "--data-dir", _dir);
        Assert.Equal("tgwatch run: Tdlib:ApiId: expected a whole number (up to 2147483647)", OneLine(run, "run"));
    }

    [Theory]
    [InlineData("import", "import", "x.jsonl", "--sink", Token)]
    [InlineData("status", "status", Token)]
    [InlineData("deadletters list", "deadletters", "list", "--limit", Token)]
    public async Task ATokenInAParseError_IsMaskedByItsShape(string command, params string[] args)
    {
        var run = await Tgwatch.RunAsync(null, [.. args, "--data-dir", _dir]);
        var line = OneLine(run, command);
        Assert.DoesNotContain(Token, line);
        Assert.DoesNotContain("AAHabcdefghijklmnop", line);
        Assert.Contains("<redacted>", line);
    }

    [Theory]
    [InlineData("deadletters list", "--limit expects a whole number from 1 to 1000000, not 'abc'", "deadletters", "list", "--limit", "abc")]
    [InlineData("deadletters list", "--limit expects a whole number from 1 to 1000000, not '99999999999'", "deadletters", "list", "--limit", "99999999999")]
    [InlineData("deadletters list", "--limit expects a whole number from 1 to 1000000, not '0'", "deadletters", "list", "--limit", "0")]
    [InlineData("deadletters replay", "--id expects a whole number of 1 or more, not '-3'", "deadletters", "replay", "--sink", "console", "--id", "-3")]
    [InlineData("deadletters replay", "--id expects a whole number of 1 or more, not '99999999999999999999'", "deadletters", "replay", "--sink", "console", "--id", "99999999999999999999")]
    [InlineData("demo", "--seconds expects a whole number from 5 to 3600, not 'abc'", "demo", "--seconds", "abc")]
    [InlineData("demo", "--rate expects a whole number from 1 to 1000, not '99999999999'", "demo", "--rate", "99999999999")]
    [InlineData("sandbox", "--port must be a number between 0 and 65535, not '-1'", "sandbox", "--port", "-1")]
    [InlineData("quiet", "--window expects a positive duration such as 60s, 500ms or 2m, not '99999999999h'", "quiet", "--window", "99999999999h")]
    [InlineData("import", "--sink needs a value", "import", "x.jsonl", "--sink")]
    [InlineData("import", "--sink is required", "import", "x.jsonl")]
    public async Task ANumberOrDurationOutOfItsRange_IsOneLine_NeverACrash(string command, string expected, params string[] args)
    {
        var run = await Tgwatch.RunAsync(null, args);
        Assert.Equal($"tgwatch {command}: {expected} (see 'tgwatch {command} --help')", OneLine(run, command));
    }
}
