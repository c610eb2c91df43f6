using System.Diagnostics;
using System.Globalization;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// <c>tgwatch run</c> with handlers that do what real programs do to the pipes and signals they are given: start a helper that
/// inherits stdout and outlives them, ignore EOF and SIGTERM.
/// </summary>
public sealed class ExecHandlerStubbornChildTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Some.TempDirectory("tgwatch-stubborn");
    private BotApiSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync()
    {
        // Whatever a handler left behind (its helper, or itself when the run failed to kill it) goes with the test.
        foreach (var file in Directory.GetFiles(_dir, "*.pid"))
            if (int.TryParse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture, out var pid) && IsRunning(pid))
                Process.Start("kill", ["-KILL", pid.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        await _sandbox.DisposeAsync();
    }

    private string P(string name) => Path.Combine(_dir, name);

    // Alive, and not a zombie waiting for its new parent to reap it.
    private static bool IsRunning(int pid) =>
        File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].Trim() is var rest && !rest.StartsWith('Z');

    private async Task SendAsync(params string[] texts)
    {
        foreach (var text in texts)
            await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100900, Text = text, From = new SandboxUser { Id = 5, FirstName = "Eve" } });
    }

    private Process Run(string script, string pipeline)
    {
        File.WriteAllText(P("handler.py"), script);
        File.WriteAllText(P("tgwatch.json"), $$"""
            {
              "Pipeline": { "MinBackoff": "00:00:00.100", "MaxBackoff": "00:00:01" {{pipeline}} },
              "Handlers": [ { "Exec": "/usr/bin/python3 {{P("handler.py")}} {{_dir}}", "Timeout": "5s" } ]
            }
            """);
        var run = Tgwatch.Start("run", "--config", P("tgwatch.json"), "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(),
            "--sink", $"jsonl:{P("out.jsonl")}", "--state", P("state.db"));
        run.StandardInput.Close();
        return run;
    }

    private static async Task<string> StopAsync(Process run, Task<string> stderr)
    {
        Process.Start("kill", ["-TERM", run.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        await run.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        return await stderr;
    }

    private string[] Handled() => File.Exists(P("handled.txt")) ? File.ReadAllLines(P("handled.txt")) : [];

    [Fact]
    public async Task AChildThatDiesWhileItsHelperHoldsItsStdout_IsStartedAgain_AndItsMessagesAreHandled()
    {
        Assert.True(File.Exists("/usr/bin/python3"), "the test needs /usr/bin/python3 (apt-get install python3)");
        using var run = Run("""
            import json, os, subprocess, sys
            marks = sys.argv[1]
            # A helper it starts (a cache, a connection keeper) inherits its stdout and stays.
            helper = subprocess.Popen(["sleep", "600"])
            open(os.path.join(marks, "helper-%d.pid" % helper.pid), "w").write(str(helper.pid))
            for line in sys.stdin:
                request = json.loads(line)
                text = request["record"]["text"]
                if text == "die" and not os.path.exists(os.path.join(marks, "died")):
                    open(os.path.join(marks, "died"), "w").close()
                    os._exit(3)
                with open(os.path.join(marks, "handled.txt"), "a") as f:
                    f.write(text + "\n")
                print(json.dumps({"key": request["key"], "ok": True}), flush=True)
            """, "");
        var stderr = run.StandardError.ReadToEndAsync();
        await SendAsync("one", "die", "three");
        await Eventually.TrueAsync(() => Handled().Order().SequenceEqual(["die", "one", "three"]), "every message handled, the one it died on too",
            Tgwatch.Patience, run.WaitForExitAsync());
        var log = await StopAsync(run, stderr);
        output.WriteLine(log);
        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"exited \(exit code 3\) with 1 messages unanswered", log);
        Assert.DoesNotContain("TimeoutException", log);
        Assert.Empty((await Tgwatch.RunAsync(null, "deadletters", "list", "--state", P("state.db"))).Lines);
    }

    [Fact]
    public async Task AChildThatIgnoresEofAndSigterm_IsKilledBeforeTheRunEnds_NotLeftBehind()
    {
        Assert.True(File.Exists("/usr/bin/python3"), "the test needs /usr/bin/python3 (apt-get install python3)");
        using var run = Run("""
            import json, os, signal, sys, time
            marks = sys.argv[1]
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            open(os.path.join(marks, "child.pid"), "w").write(str(os.getpid()))
            for line in sys.stdin:
                request = json.loads(line)
                with open(os.path.join(marks, "handled.txt"), "a") as f:
                    f.write(request["record"]["text"] + "\n")
                print(json.dumps({"key": request["key"], "ok": True}), flush=True)
            while True:
                time.sleep(1)  # deaf to EOF
            """, """, "DrainTimeout": "00:00:02" """);
        var stderr = run.StandardError.ReadToEndAsync();
        await SendAsync("one");
        await Eventually.TrueAsync(() => Handled().Length == 1 && File.Exists(P("out.jsonl")) && File.ReadAllLines(P("out.jsonl")).Length == 1,
            "the message handled and written", Tgwatch.Patience, run.WaitForExitAsync());
        var pid = int.Parse(File.ReadAllText(P("child.pid")), CultureInfo.InvariantCulture);
        var log = await StopAsync(run, stderr);
        output.WriteLine(log);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("sent SIGTERM", log);
        Assert.Contains("sent SIGKILL", log);
        Assert.False(IsRunning(pid), $"the handler (pid {pid}) outlived the run");
    }

    [Fact]
    public async Task AChildThatExitsAtOnceEveryTime_DoesNotMakeTheStopFail()
    {
        Assert.True(File.Exists("/usr/bin/python3"), "the test needs /usr/bin/python3 (apt-get install python3)");
        File.WriteAllText(P("tgwatch.json"), """
            { "Handlers": [ { "Exec": "/usr/bin/python3 -c \"import sys; sys.exit(0)\"", "Timeout": "1s" } ] }
            """);
        using var run = Tgwatch.Start("run", "--config", P("tgwatch.json"), "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(),
            "--sink", $"jsonl:{P("out.jsonl")}", "--state", P("state.db"));
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        await SendAsync("one");
        await Eventually.TrueAsync(() => File.Exists(P("out.jsonl")) && File.ReadAllLines(P("out.jsonl")).Length == 1, "the message written all the same",
            Tgwatch.Patience, run.WaitForExitAsync());
        var log = await StopAsync(run, stderr);
        output.WriteLine(log);
        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("unexpected failure", log);
        Assert.Contains("exited (exit code 0)", log);
    }
}
