using System.Reflection;
using System.Text.RegularExpressions;
using Tgwatch.Cli.Run;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>The files of examples/ are what a newcomer copies: each must work as it is, and say every setting.</summary>
public sealed partial class ExamplesTests
{
    private static string Example(string name) => Repo.Path("examples", name);

    private const string Token = "123456789:AAexampleexampleexampleexampleexam";
    private const string ApiHash = "0123456789abcdef0123456789abcdef";

    /// <summary>Every key a configuration can hold (Section:Key), from the settings type itself.</summary>
    private static List<string> Keys(Type type, string? parent = null)
    {
        var keys = new List<string>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var path = parent is null ? p.Name : $"{parent}:{p.Name}";
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            if (t.IsValueType || t == typeof(string) || t.IsGenericType) keys.Add(path);
            else keys.AddRange(Keys(t, path));
        }
        return keys;
    }

    /// <summary>The keys an example names (set, or shown in a comment), as Section:Key.</summary>
    private static HashSet<string> Named(string file)
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        var sections = new Stack<string>();
        foreach (var line in File.ReadLines(file))
        {
            if (KeyLine().Match(line) is { Success: true } m)
            {
                var key = m.Groups["key"].Value;
                if (m.Groups["open"].Value == "{") sections.Push(key);
                else named.Add(string.Join(':', sections.Reverse().Append(key)));
            }
            else if (line.Trim() is "}," or "}" && sections.Count > 0) sections.Pop();
        }
        return named;
    }

    [GeneratedRegex("""^\s*(//\s*)?"(?<key>[A-Za-z]+)":\s*(?<open>\{|\[|.)""")]
    private static partial Regex KeyLine();

    [Theory]
    [InlineData("tgwatch.bot.json", "Tdlib:")]
    [InlineData("tgwatch.user.json", "BotApi:")]
    public void AnExampleConfiguration_NamesEverySetting_EachAfterAComment(string name, string otherConnector)
    {
        // The Nats section is tgwatch consume's (its connector), not a runner's.
        var expected = Keys(typeof(RunSettings)).Where(k => !k.StartsWith(otherConnector, StringComparison.Ordinal) && !k.StartsWith("Nats:", StringComparison.Ordinal)).ToList();
        Assert.True(expected.Count > 25, string.Join(", ", expected));
        Assert.Empty(expected.Except(Named(Example(name))));

        var lines = File.ReadAllLines(Example(name));
        for (var i = 1; i < lines.Length; i++)
            if (KeyLine().IsMatch(lines[i]) && !lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal))
                Assert.True(lines[i - 1].TrimStart().StartsWith("//", StringComparison.Ordinal), $"{name} line {i + 1} has no comment above it: {lines[i].Trim()}");
    }

    [Theory]
    [InlineData("/usr/bin/python3", "handler.py")]
    [InlineData("node", "handler.js")]
    public async Task TheExampleHandlers_AnswerEachMessageByItsKey_AndExitAtEof(string interpreter, string name)
    {
        var message = new Messages.TgMessage
        {
            Account = "bot42", Connector = "botapi", Chat = new Messages.ChatInfo(-1001234567890, "channel", "News"), MessageId = 77, Kind = Messages.MessageKind.New,
            Date = new DateTimeOffset(2026, 11, 25, 10, 0, 1, TimeSpan.Zero), Text = "an URGENT one",
        };
        var other = message with { MessageId = 78, Text = null };
        var input = Handlers.ExecHandler.Line(message).Concat(Handlers.ExecHandler.Line(other)).ToArray();
        var run = await ProcessRun.RunAsync(interpreter, [Repo.Path("examples", "handlers", name)], input, Tgwatch.Patience);
        Assert.True(run.ExitCode == 0, $"{name}: exit code {run.ExitCode}: {run.Stderr}");
        Assert.Equal([$"{{\"key\":\"{message.Key}\",\"ok\":true}}", $"{{\"key\":\"{other.Key}\",\"ok\":true}}"],
            run.Lines.Select(l => l.Replace(" ", "", StringComparison.Ordinal)));
        Assert.Contains("urgent in chat -1001234567890: an URGENT one", run.Stderr);
    }

    [Fact]
    public void TheBotExample_IsReadAsItIs_WithTheTokenFromTheEnvironmentFile_AndShowsTheDefaults()
    {
        var settings = RunSettingsReader.ForRun(Example("tgwatch.bot.json"), new Dictionary<string, string?> { ["BotApi:Token"] = Token }, null, null);
        Assert.Equal("botapi", settings.Connector);
        Assert.Equal(["jsonl:/var/lib/tgwatch/messages.jsonl", "sqlite:/var/lib/tgwatch/messages.db"], settings.Sinks.Select(s => s.Sink));
        Assert.Equal("/var/lib/tgwatch", settings.DataDir);
        var defaults = new BotApiSettings();
        Assert.Equal((defaults.PollTimeoutSeconds, defaults.HttpMarginSeconds, defaults.MaxBackoff, (string?)null),
            (settings.BotApi.PollTimeoutSeconds, settings.BotApi.HttpMarginSeconds, settings.BotApi.MaxBackoff, settings.BotApi.Url));
        AssertDefaults(settings.Pipeline);
    }

    [Fact]
    public void TheUserExample_IsReadAsItIs_WithTheApiHashFromTheEnvironmentFile_AndShowsTheDefaults()
    {
        var settings = RunSettingsReader.ForRun(Example("tgwatch.user.json"), new Dictionary<string, string?> { ["Tdlib:ApiHash"] = ApiHash }, null, null);
        Assert.Equal("tdlib", settings.Connector);
        Assert.Equal(["@durov", "-1001234567890"], settings.Chats);
        var defaults = new Login.TdlibSettings();
        Assert.Equal((defaults.LogVerbosity, defaults.Account, defaults.TimeoutSeconds, (string?)null),
            (settings.Tdlib.LogVerbosity, settings.Tdlib.Account, settings.Tdlib.TimeoutSeconds, settings.Tdlib.Tdjson));
        AssertDefaults(settings.Pipeline);
    }

    /// <summary>"Every setting is shown with its default": the values in the examples are the program's.</summary>
    private static void AssertDefaults(PipelineOptions read)
    {
        var defaults = new PipelineOptions();
        foreach (var p in typeof(PipelineOptions).GetProperties().Where(p => p.CanWrite))
            Assert.True(Equals(p.GetValue(defaults), p.GetValue(read)), $"Pipeline:{p.Name} is {p.GetValue(read)} in the example, {p.GetValue(defaults)} by default");
    }

    [Fact]
    public void TheEnvironmentFile_SetsOnlyVariablesTheProgramReads()
    {
        var known = Keys(typeof(RunSettings)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var variables = File.ReadLines(Example("tgwatch.env"))
            .Select(l => l.TrimStart('#').Trim())
            .Where(l => Regex.IsMatch(l, "^TGWATCH_[A-Z_]+="))
            .Select(l => l[..l.IndexOf('=', StringComparison.Ordinal)])
            .ToList();
        Assert.Contains("TGWATCH__BOTAPI__TOKEN", variables);
        Assert.Contains("TGWATCH__TDLIB__APIHASH", variables);
        foreach (var variable in variables)
            Assert.True(variable == "TGWATCH_WEBHOOK_SECRET" || known.Contains(variable["TGWATCH__".Length..].Replace("__", ":", StringComparison.Ordinal)), $"{variable} is read by nothing");
    }

    [Fact]
    public async Task TheSystemdUnit_IsValidForSystemd_AndHoldsWhatA24x7ServiceNeeds()
    {
        var unit = await File.ReadAllTextAsync(Example("tgwatch.service"));
        foreach (var directive in new[] { "User=tgwatch", "StateDirectory=tgwatch", "Restart=on-failure", "RestartPreventExitStatus=2 3", "ProtectSystem=strict", "NoNewPrivileges=yes",
                     "EnvironmentFile=/etc/tgwatch/tgwatch.env", "ExecStart=/opt/tgwatch/tgwatch run --config /etc/tgwatch/tgwatch.json", "ExecReload=/bin/kill -HUP $MAINPID" })
            Assert.Contains("\n" + directive + "\n", unit);

        const string analyze = "/usr/bin/systemd-analyze";
        Assert.True(File.Exists(analyze), $"{analyze} is missing: install Debian's systemd package (./test.sh does as root)");
        var dir = Some.TempDirectory("tgwatch-unit");
        var copy = Path.Combine(dir, "tgwatch.service");
        await File.WriteAllTextAsync(copy, unit.Replace("ExecStart=/opt/tgwatch/tgwatch ", "ExecStart=/bin/true ", StringComparison.Ordinal)); // the program is not installed here
        var verify = await ProcessRun.RunAsync(analyze, ["verify", copy]);
        Assert.True(verify.ExitCode == 0 && verify.Stderr.Trim() == "", $"systemd-analyze verify: {verify.Stderr}");
    }
}
