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
    [InlineData($$$"""{"Bot": "{{{Token}}}"}""", "unknown setting Bot")]
    [InlineData($$$"""{"BotApi": {"Token": "{{{Token}}}", "PollTimeoutSeconds": "{{{Token}}}"}}""", "BotApi:PollTimeoutSeconds: expected a whole number")]
    [InlineData($$$"""{"Chats": "{{{Token}}}"}""", "Chats: expected a list, not a single value")]
    [InlineData($$$"""{"Pipeline": {"DrainTimeout": "{{{Token}}}"}}""", "Pipeline:DrainTimeout: expected a duration")]
    [InlineData($$$"""{"WebhookSecret": "s3cr3t-webhook-key",{{{"\n"}}} "BotApi": {"Token": "{{{Token}}}", }""", "not valid JSON (line 2")]
    public async Task AConfigurationError_NeverEchoesAValue(string json, string expected)
    {
        await File.WriteAllTextAsync(P("tgwatch.json"), json);
        var run = await Tgwatch.RunAsync(null, "run", "--config", P("tgwatch.json"), "--data-dir", _dir);
        var line = OneLine(run, "run");
        Assert.Contains($"{P("tgwatch.json")}: {expected}", line);
        Assert.DoesNotContain("123456", run.Stderr);
        Assert.DoesNotContain("s3cr3t", run.Stderr);
    }

    [Theory]
    [InlineData("DrainTimeout", "10675199.00:00:00", "Pipeline:DrainTimeout: at most a day (1.00:00:00)")]
    [InlineData("HandlerTimeout", "30.00:00:00", "Pipeline:HandlerTimeout: at most a day (1.00:00:00)")]
    [InlineData("ReplyDeadline", "25.00:00:00", "Pipeline:ReplyDeadline: at most a day (1.00:00:00)")]
    [InlineData("Capacity", "99999999999", "Pipeline:Capacity: expected a whole number (up to 2147483647)")]
    public async Task APipelineSettingTooLargeForATimer_IsOneLine_NeverACrash(string key, string value, string expected)
    {
        await File.WriteAllTextAsync(P("tgwatch.json"), $$$"""{"BotApi": {"Token": "{{{Token}}}", "Url": "http://127.0.0.1:9/"}, "Pipeline": {"{{{key}}}": "{{{value}}}"}}""");
        var run = await Tgwatch.RunAsync(null, "run", "--config", P("tgwatch.json"), "--state", P("st.db"));
        Assert.Contains(expected, OneLine(run, "run"));
    }

    [Fact]
    public async Task AnUnknownEnvironmentVariable_IsNamedAsItWasSet()
    {
        using var process = Tgwatch.StartWith(new Dictionary<string, string> { ["TGWATCH__BOGUS__X"] = Token }, "run", "--bot-token", Token, "--data-dir", _dir);
        var run = await ProcessRun.WaitAsync(process, null, TimeSpan.FromSeconds(60));
        var line = OneLine(run, "run");
        Assert.Equal("tgwatch run: environment variable TGWATCH__BOGUS__X: unknown setting", line);
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

    private string Archive()
    {
        File.WriteAllLines(P("archive.jsonl"), [.. Enumerable.Range(1, 3).Select(i => Messages.TgMessageJson.ToJson(SomeMessage.New(i, $"message {i}")))]);
        return P("archive.jsonl");
    }

    [Theory]
    [InlineData("jsonl:{0}")]
    [InlineData("sqlite:{0}")]
    [InlineData("jsonl:{0}-wal")]
    public async Task TheStateStoreGivenAsASink_IsRefused_AndLeftAsItWas(string sink)
    {
        var archive = Archive();
        Assert.Equal(0, (await Tgwatch.RunAsync(null, "import", archive, "--sink", $"jsonl:{P("out.jsonl")}", "--state", P("st.db"))).ExitCode);
        var before = await File.ReadAllBytesAsync(P("st.db"));
        var given = string.Format(System.Globalization.CultureInfo.InvariantCulture, sink, "st.db");
        var run = await ProcessRun.RunAsync("bash", ["-c", $"cd {_dir} && {Tgwatch.Shell} import archive.jsonl --sink {given} --state st.db"]);
        Assert.Equal($"tgwatch import: --sink {given} is the state store's file ({P("st.db")}); give the sink a file of its own", OneLine(run, "import"));
        Assert.Equal(before, await File.ReadAllBytesAsync(P("st.db")));
    }

    // The Bot API's received journal beside the state store holds what Telegram has forgotten: a sink writing into it would
    // break both (its lines overwritten by records, its records by lines).
    [Fact]
    public async Task TheReceivedJournalGivenAsASink_IsRefused()
    {
        var journal = P("st.db.received-bot123456");
        var run = await ProcessRun.RunAsync("bash", ["-c", $"cd {_dir} && {Tgwatch.Shell} run --bot-token 123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA --bot-api-url http://127.0.0.1:9/ --sink jsonl:st.db.received-bot123456 --state st.db"]);
        Assert.Equal(2, run.ExitCode);
        Assert.EndsWith($"--sink jsonl:st.db.received-bot123456 is the state store's file ({P("st.db")}); give the sink a file of its own", Assert.Single(run.Stderr.TrimEnd('\n').Split('\n')));
        Assert.False(File.Exists(journal));
    }

    [Fact]
    public async Task TwoSinksOnOneFile_AreRefused()
    {
        var run = await ProcessRun.RunAsync("bash", ["-c", $"cd {_dir} && {Tgwatch.Shell} import {Archive()} --sink jsonl:out.jsonl --sink sqlite:./out.jsonl --state st.db"]);
        Assert.Equal("tgwatch import: --sink jsonl:out.jsonl and --sink sqlite:./out.jsonl are the same file; give each sink a file of its own", OneLine(run, "import"));
        Assert.False(File.Exists(P("out.jsonl")));
    }

    [Theory]
    [InlineData("sqlite:/proc/tgwatch.db", "cannot create it: no such file or directory")]
    [InlineData("jsonl:/proc/tgwatch.jsonl", "no such file or directory")]
    [InlineData("jsonl:/sys/tgwatch.jsonl", "permission denied")]
    [InlineData("sqlite:{0}/text.db", "not an SQLite database")]
    [InlineData("sqlite:{0}/newer.db", "schema version 999 is newer than this Tgwatch knows")]
    public async Task ASinkThatCannotBeOpened_IsOneLineNamingIt_Exit2_ForImportAndRun(string sink, string reason)
    {
        await File.WriteAllTextAsync(P("text.db"), "not a database, a text file of some length to be sure of it\n");
        Assert.Equal(0, (await Tgwatch.RunAsync(null, "import", Archive(), "--sink", $"sqlite:{P("newer.db")}", "--state", P("first.db"))).ExitCode);
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={P("newer.db")};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA user_version = 999";
            cmd.ExecuteNonQuery();
        }
        var given = string.Format(System.Globalization.CultureInfo.InvariantCulture, sink, _dir);

        var import = await Tgwatch.RunAsync(null, "import", Archive(), "--sink", given, "--state", P("st.db"));
        var line = OneLine(import, "import");
        Assert.StartsWith($"tgwatch import: --sink {given} cannot be opened: ", line);
        Assert.Contains(reason, line);

        var run = await Tgwatch.RunAsync(null, "run", "--bot-token", Token, "--bot-api-url", "http://127.0.0.1:9/", "--sink", given, "--state", P("st.db"));
        Assert.Equal(2, run.ExitCode);
        line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains($" crit Tgwatch.Run: --sink {given} cannot be opened: ", line);
        Assert.Contains(reason, line);
    }

    [Fact]
    public async Task StatusOnADirectory_SaysItIsNoStateStore_AndABadFileIsNamedOnce()
    {
        var status = await Tgwatch.RunAsync(null, "status", "--state", _dir);
        Assert.Equal($"tgwatch status: state store {_dir} is a directory, not a state store's file (give a file, such as {P("tgwatch.db")}, or --data-dir {_dir})", OneLine(status, "status"));

        await File.WriteAllTextAsync(P("text.db"), "not a database, a text file of some length to be sure of it\n");
        status = await Tgwatch.RunAsync(null, "status", "--state", P("text.db"));
        Assert.Equal($"tgwatch status: state store {P("text.db")}: not an SQLite database (or encrypted); choose another file", OneLine(status, "status"));
    }
}
