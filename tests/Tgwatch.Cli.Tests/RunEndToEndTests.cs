using System.Diagnostics;
using Tgwatch.Messages;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary><c>tgwatch run</c> as a real process against the Bot API sandbox on loopback.</summary>
public sealed class RunEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Some.TempDirectory("tgwatch-e2e");
    private BotApiSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private string P(string name) => Path.Combine(_dir, name);

    private string[] RunArgs => ["run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(),
        "--sink", $"jsonl:{P("out.jsonl")}", "--sink", $"sqlite:{P("out.db")}", "--state", P("state.db")];

    private static int Lines(string path) => File.Exists(path) ? File.ReadAllLines(path).Length : 0;

    private async Task<string> RunUntilAsync(string[] args, Func<bool> done, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(done))] string what = "")
    {
        using var process = Tgwatch.Start(args);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(done, what, Tgwatch.Patience);
        Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        Assert.Equal(0, process.ExitCode);
        return await stderr;
    }

    [Fact]
    public async Task ASinkAddedToARunningSetUp_IsSaidToBeNew_WithTheImportThatGivesItThePast_WhichWorks()
    {
        for (var i = 0; i < 5; i++)
            await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100778, Text = $"before {i}", From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        string[] first = ["run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(), "--sink", $"jsonl:{P("out.jsonl")}", "--state", P("state.db")];
        await RunUntilAsync(first, () => Lines(P("out.jsonl")) == 5);

        await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100778, Text = "after", From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        var log = await RunUntilAsync([.. first, "--sink", $"sqlite:{P("new.db")}"], () => Lines(P("out.jsonl")) == 6);
        output.WriteLine(log);
        Assert.Contains($"sqlite:{P("new.db")} is new to this state store: it gets the messages from now on; the 5 processed before reach it when they come again, as an import of what another sink wrote does: tgwatch import {P("out.jsonl")} --sink sqlite:{P("new.db")}", log);

        var import = await Tgwatch.RunAsync(null, "import", P("out.jsonl"), "--sink", $"sqlite:{P("new.db")}", "--state", P("state.db"));
        Assert.Contains("6 records read, 5 written, 1 already there", import.Stderr);
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={P("new.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        using var count = db.CreateCommand();
        count.CommandText = "SELECT count(*) FROM messages";
        Assert.Equal(6L, (long)count.ExecuteScalar()!);
        await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100778, Text = "later", From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        var again = await RunUntilAsync([.. first, "--sink", $"sqlite:{P("new.db")}"], () => Lines(P("out.jsonl")) == 7);
        Assert.DoesNotContain("is new to this state store", again);
    }

    [Fact]
    public async Task Run_StoresWhatTheBotReceives_StopsCleanlyOnSigterm_AndNeverPrintsTheToken()
    {
        for (var i = 0; i < 5; i++)
            await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100777, Text = $"hello {i}", From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        using var process = Tgwatch.Start(RunArgs);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => Lines(P("out.jsonl")) == 5, "five lines", Tgwatch.Patience);
        Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        var log = await stderr;
        output.WriteLine(log);
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"hello {i}"), File.ReadAllLines(P("out.jsonl")).Select(l => TgMessageJson.Parse(l).Text));
        Assert.DoesNotContain(_sandbox.Token, log);
        Assert.DoesNotContain(_sandbox.Token.Split(':')[1], log);
        Assert.Contains("Bot API: connected as", log);
        Assert.Contains("Stopped: 5 received, 5 written", log);
    }

    [Fact]
    public async Task TheTokenAndTheServer_CanComeFromTheEnvironment_WithoutAConfigFile()
    {
        await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100778, Text = "from env" });
        using var process = Tgwatch.StartWith(new Dictionary<string, string>
        {
            ["TGWATCH__BOTAPI__TOKEN"] = _sandbox.Token,
            ["TGWATCH__BOTAPI__URL"] = _sandbox.BaseUrl.ToString(),
        }, "run", "--sink", $"jsonl:{P("env.jsonl")}", "--state", P("env.db"));
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => Lines(P("env.jsonl")) == 1, "one line", Tgwatch.Patience);
        Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        Assert.Equal(0, process.ExitCode);
        Assert.Equal("from env", TgMessageJson.Parse(File.ReadAllLines(P("env.jsonl"))[0]).Text);
        Assert.DoesNotContain(_sandbox.Token, await stderr);
    }

    [Fact]
    public async Task ASecondWriterOnTheSameStateStore_IsRefusedWithOneLine_WhileReadersAreWelcome()
    {
        await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100779, Text = "first" });
        using var running = Tgwatch.Start(RunArgs);
        running.StandardInput.Close();
        var stderr = running.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => Lines(P("out.jsonl")) == 1, "one line", Tgwatch.Patience);

        var second = await Tgwatch.RunAsync(null, RunArgs);
        Assert.Equal(2, second.ExitCode);
        var line = Assert.Single(second.Stderr.TrimEnd('\n').Split('\n'));
        Assert.EndsWith($"state store {P("state.db")} is in use by another tgwatch run, import or replay (one writer at a time)", line);
        File.WriteAllText(P("none.jsonl"), "");
        var import = await Tgwatch.RunAsync(null, "import", P("none.jsonl"), "--sink", "console", "--state", P("state.db"));
        Assert.Equal((2, $"tgwatch import: state store {P("state.db")} is in use by another tgwatch run, import or replay (one writer at a time)\n"), (import.ExitCode, import.Stderr));
        // The run records a change at most once a second: its first record may still say "connecting (starting)".
        var readyLine = new System.Text.RegularExpressions.Regex(@"\nconnection    botapi/bot\d+: ready since \S+Z \(\d+(ms|s)\), reported \d+(ms|s) ago\n");
        var status = await Eventually.ValueAsync(() => Tgwatch.RunAsync(null, "status", "--state", P("state.db")),
            s => s.ExitCode != 0 || readyLine.IsMatch(s.Output), "status saying the link is ready", Tgwatch.Patience);
        Assert.Equal(0, status.ExitCode);
        Assert.Matches(readyLine, status.Output);

        Process.Start("kill", ["-TERM", running.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        await running.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        Assert.Equal(0, running.ExitCode);
        _ = await stderr;
        var after = await Tgwatch.RunAsync(null, "status", "--state", P("state.db"), "--json");
        using var doc = System.Text.Json.JsonDocument.Parse(after.Output);
        var link = Assert.Single(doc.RootElement.GetProperty("connections").EnumerateArray());
        Assert.Equal(("botapi", "disconnected", "stopped", true, false),
            (link.GetProperty("connector").GetString(), link.GetProperty("state").GetString(), link.GetProperty("reason").GetString(),
             link.GetProperty("ended").GetBoolean(), link.GetProperty("stale").GetBoolean()));
    }

    [Fact]
    public async Task ARejectedToken_IsExitCode3WithOneClearLine()
    {
        var run = await Tgwatch.RunAsync(null, "run", "--bot-token", "424242:AAUnknownUnknownUnknownUnknownUnknown1", "--bot-api-url", _sandbox.BaseUrl.ToString(), "--state", P("state.db"));
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("the bot token was rejected (HTTP 401)", run.Stderr);
        Assert.DoesNotContain("AAUnknownUnknown", run.Stderr);
    }

    [Fact]
    public async Task KilledWithSigkillAgainAndAgain_WhileMessagesArrive_NothingIsLostOrDuplicated()
    {
        const int count = 1500;
        var random = new Random(4242);
        var injected = 0;
        var kills = 0;
        while (kills < 5)
        {
            using var process = Tgwatch.Start([.. RunArgs, "--log-level", "warn"]);
            process.StandardInput.Close();
            // Messages keep arriving while it runs and while it is down.
            var batch = Math.Min(count - injected, 300);
            if (batch > 0) await _sandbox.Admin.SendBulkAsync(new InjectBulk { ChatIds = [-1001, -1002, -1003], Count = batch });
            injected += batch;
            // A real process, killed at a random moment of its work.
            await Task.Delay(random.Next(300, 1200));
            process.Kill();
            await process.WaitForExitAsync();
            kills++;
            output.WriteLine($"kill -9 #{kills}: {Lines(P("out.jsonl"))} lines so far, {injected} injected");
        }
        if (injected < count) await _sandbox.Admin.SendBulkAsync(new InjectBulk { ChatIds = [-1001, -1002, -1003], Count = count - injected });
        using (var last = Tgwatch.Start(RunArgs))
        {
            last.StandardInput.Close();
            await Eventually.TrueAsync(() => Lines(P("out.jsonl")) >= count, $"{count} lines", TimeSpan.FromSeconds(60));
            // A real process: a moment more, so that a duplicate written late shows.
            await Task.Delay(500);
            Process.Start("kill", ["-TERM", last.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            await last.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
            Assert.Equal(0, last.ExitCode);
        }
        var keys = File.ReadAllLines(P("out.jsonl")).Select(l => TgMessageJson.Parse(l).Key).ToList();
        var sent = (await _sandbox.Admin.ListInjectedAsync()).Count;
        output.WriteLine($"sent {sent}, JSONL lines {keys.Count}, distinct {keys.Distinct().Count()}, kill -9 {kills}");
        Assert.Equal(count, sent);
        Assert.Equal(count, keys.Count);
        Assert.Equal(count, keys.Distinct().Count());
    }
}
