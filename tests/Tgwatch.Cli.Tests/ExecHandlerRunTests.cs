using System.Diagnostics;
using System.Globalization;
using Tgwatch.Messages;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// <c>tgwatch run --handler exec:…</c> as a real process against the Bot API sandbox, with a real Python handler that refuses
/// some messages, dies once, hangs once, asks for one retry, writes lines that are no answers and connection noise on stderr.
/// </summary>
public sealed class ExecHandlerRunTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Some.TempDirectory("tgwatch-exec");
    private BotApiSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private string P(string name) => Path.Combine(_dir, name);

    private static string Script => Path.Combine(AppContext.BaseDirectory, "Handlers", "unruly_handler.py");

    private string Handler => $"exec:/usr/bin/python3 {Script} {P("handled.txt")}";

    [Fact]
    public async Task EveryOtherMessageIsHandled_TheRefusedAreDeadLetters_ReplayWorks_AndTheNoiseIsCollapsed()
    {
        Assert.True(File.Exists("/usr/bin/python3"), "the test needs /usr/bin/python3 (apt-get install python3)");
        string[] texts = [.. Enumerable.Range(0, 24).Select(i => i switch
        {
            3 => "refuse 3",
            7 => "die 7",
            11 => "hang 11",
            15 => "flaky 15",
            19 => "refuse 19",
            _ => $"fine {i}",
        })];
        foreach (var text in texts)
            await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100900, Text = text, From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        await File.WriteAllTextAsync(P("tgwatch.json"), $$"""
            {
              "Pipeline": { "MinBackoff": "00:00:00.100", "MaxBackoff": "00:00:01", "HandlerAttempts": 3 },
              "Handlers": [ { "Exec": "/usr/bin/python3 {{Script}} {{P("handled.txt")}}", "Timeout": "3s" } ]
            }
            """);
        using var run = Tgwatch.Start("run", "--config", P("tgwatch.json"), "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(),
            "--sink", $"jsonl:{P("out.jsonl")}", "--state", P("state.db"));
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => File.Exists(P("out.jsonl")) && File.ReadAllLines(P("out.jsonl")).Length == texts.Length, "every message written", Tgwatch.Patience);
        Process.Start("kill", ["-TERM", run.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        await run.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        var log = await stderr;
        output.WriteLine(log);
        Assert.Equal(0, run.ExitCode);

        // Every message is written once, the refused ones too (a handler's failure never holds a message back from the sinks).
        var written = File.ReadAllLines(P("out.jsonl")).Select(l => TgMessageJson.Parse(l)).ToList();
        Assert.Equal(texts.Order(), written.Select(m => m.Text!).Order());
        // Every message but the refused ones was handled at least once: the one it died on and the one it hung on included.
        var handled = File.ReadAllLines(P("handled.txt")).ToHashSet();
        var keys = written.ToDictionary(m => m.Text!, m => m.Key);
        foreach (var text in texts.Where(t => !t.StartsWith("refuse", StringComparison.Ordinal)))
            Assert.True(handled.Contains(keys[text]), $"'{text}' handled");
        Assert.DoesNotContain(keys["refuse 3"], handled);

        // The child's death, its hang and its lines that are no answers are said; its noise is collapsed, not repeated.
        Assert.Contains("exec:/usr/bin/python3", log);
        Assert.Matches(@"exited \(exit code 3\) with 1 messages unanswered", log);
        Assert.Matches($@"no answer to {System.Text.RegularExpressions.Regex.Escape(keys["hang 11"])} within 3s: taken for hung", log);
        Assert.Single(log.Split('\n'), l => l.Contains("is no answer (not JSON)", StringComparison.Ordinal));
        var resets = log.Split('\n').Count(l => l.Contains("ConnectionResetError", StringComparison.Ordinal));
        Assert.True(resets <= 4, $"{resets} lines of the child's connection noise in the log");
        Assert.Contains("suppressed", log);

        // The refused ones are dead letters, with the child's error.
        var list = await Tgwatch.RunAsync(null, "deadletters", "list", "--state", P("state.db"));
        output.WriteLine(list.Output);
        Assert.Equal(2, list.Lines.Count);
        Assert.All(list.Lines, l => Assert.Contains($"handler:exec:/usr/bin/python3 {Script} {P("handled.txt")}\t", l));
        Assert.Contains(list.Lines, l => l.Contains("refused: refuse 3", StringComparison.Ordinal));

        // Replayed through the same handler (which accepts them now): handled, and gone from the dead letters.
        var replay = await Tgwatch.RunAsync(null, "deadletters", "replay", "--handler", Handler, "--state", P("state.db"));
        output.WriteLine(replay.Stderr);
        Assert.Equal(1, replay.ExitCode); // refused again: the handler still refuses them
        Assert.Contains("replayed 0, failed again 2", replay.Stderr);
        var accepting = await Tgwatch.RunWithAsync(new Dictionary<string, string> { ["ACCEPT_ALL"] = "1" }, "deadletters", "replay", "--handler", Handler, "--state", P("state.db"));
        output.WriteLine(accepting.Stderr);
        Assert.Equal(0, accepting.ExitCode);
        Assert.Contains("replayed 2, failed again 0", accepting.Stderr);
        Assert.Contains(keys["refuse 3"], File.ReadAllLines(P("handled.txt")));
        Assert.Empty((await Tgwatch.RunAsync(null, "deadletters", "list", "--state", P("state.db"))).Lines);
    }

    [Fact]
    public async Task ASlowHandlerGivenOneMessageAtATime_IsNotTakenForHung_OverTheTimeOthersMessagesTook()
    {
        // Each answer takes 1 s (the handler's own pace, the point of the test); ten chats' messages come at once to a handler
        // that takes one at a time, with 4 s to answer each: the last waits 9 s for its turn, more than twice its own time,
        // and is not killed for it. Ten workers, so that all ten wait for the handler together.
        const int chats = 10;
        await File.WriteAllTextAsync(P("slow.py"), """
            import json, sys, time
            for line in sys.stdin:
                time.sleep(1)
                print(json.dumps({"key": json.loads(line)["key"], "ok": True}), flush=True)
            """.Replace("            ", ""));
        for (var chat = 0; chat < chats; chat++)
            await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100900 - chat, Text = $"in chat {chat}", From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        await File.WriteAllTextAsync(P("tgwatch.json"), $$"""
            {
              "Pipeline": { "Parallelism": {{chats}} },
              "Handlers": [ { "Exec": "/usr/bin/python3 {{P("slow.py")}}", "Timeout": "4s", "MaxInFlight": 1 } ]
            }
            """);
        using var run = Tgwatch.Start("run", "--config", P("tgwatch.json"), "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(),
            "--sink", $"jsonl:{P("out.jsonl")}", "--state", P("state.db"));
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => File.Exists(P("out.jsonl")) && File.ReadAllLines(P("out.jsonl")).Length == chats, "the ten written", Tgwatch.Patience);
        Process.Start("kill", ["-TERM", run.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        await run.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        var log = await stderr;
        output.WriteLine(log);
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("taken for hung", log);
        Assert.Contains($"Stopped: {chats} received, {chats} written, 0 duplicates skipped, 0 dead letters", log);
    }

    [Fact]
    public async Task AHugeLineOnStdout_IsPassedOverWithOneLine_AndTheAnswerAfterItIsTaken()
    {
        await File.WriteAllTextAsync(P("huge.py"), """
            import json, sys
            for line in sys.stdin:
                sys.stdout.write("x" * (3 * 1024 * 1024) + "\n")
                sys.stderr.write("e" * (100 * 1024) + "\n")
                print(json.dumps({"key": json.loads(line)["key"], "ok": True}), flush=True)
            """.Replace("            ", ""));
        for (var i = 0; i < 3; i++)
            await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100900, Text = $"m{i}", From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        using var run = Tgwatch.Start("run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(),
            "--sink", $"jsonl:{P("out.jsonl")}", "--state", P("state.db"), "--handler", $"exec:/usr/bin/python3 {P("huge.py")}");
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => File.Exists(P("out.jsonl")) && File.ReadAllLines(P("out.jsonl")).Length == 3, "the three written", Tgwatch.Patience);
        Process.Start("kill", ["-TERM", run.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        await run.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        var log = await stderr;
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Stopped: 3 received, 3 written, 0 duplicates skipped, 0 dead letters", log);
        Assert.Single(log.Split('\n'), l => l.Contains("is no answer (a line over 1 MiB)", StringComparison.Ordinal));
        // Its stderr lines are cut in the log, not written whole.
        Assert.True(log.Length < 200 * 1024, $"{log.Length} characters of log");
    }

    [Fact]
    public async Task AProgramThatCannotBeStarted_EndsTheRunAtOnce_WithOneLine()
    {
        var run = await Tgwatch.RunAsync(null, "run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(),
            "--sink", $"jsonl:{P("out.jsonl")}", "--state", P("state.db"), "--handler", "exec:/nonexistent/handler --flag");
        output.WriteLine(run.Stderr);
        Assert.Equal(2, run.ExitCode);
        Assert.Matches(@"crit Tgwatch\.Run: exec:/nonexistent/handler --flag: cannot start '/nonexistent/handler': No such file or directory", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Theory]
    [InlineData("bogus:thing", "--handler: expected exec:COMMAND")]
    [InlineData("exec:", "Handlers:0:Exec")]
    public async Task AHandlerThatIsNoCommand_IsOneLineAndExitCode2(string handler, string key)
    {
        var run = await Tgwatch.RunAsync(null, "run", "--bot-token", _sandbox.Token, "--sink", "console", "--state", P("state.db"), "--handler", handler);
        output.WriteLine(run.Stderr);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(key, run.Stderr);
        Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
    }
}
