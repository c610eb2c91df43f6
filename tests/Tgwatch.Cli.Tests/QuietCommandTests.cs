using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary><c>tgwatch quiet</c> as a user runs it: a real process over real children's output.</summary>
public sealed partial class QuietCommandTests
{
    private const string SocketSend = "socket.send() raised exception.";
    private const string SocketSendFirst = "[tgwatch] suppressed 1× Network: socket.send() raised exception. (asyncio socket.send()) (1 lines)";
    private const string ResetFirst = "[tgwatch] suppressed 1× Network: ConnectionResetError: [Errno 104] Connection reset by peer (Python connection error) (6 lines)";
    private static readonly string AsyncioFlood = Repo.Path("tools", "noise-samples", "asyncio_flood.py");

    [Theory]
    [InlineData("quiet", "--bogus")]
    [InlineData("quiet", "--window", "soon")]
    [InlineData("quiet", "--window", "-5s")]
    [InlineData("no-such-command")]
    [InlineData("quiet", "--rules", "/nonexistent/rules.json")]
    [InlineData("quiet", "--first", "bogus")]
    [InlineData("quiet", "--first")]
    public async Task BadArguments_GiveOneLineAndExitCode2(params string[] args)
    {
        var run = await Tgwatch.RunAsync([], args);
        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("tgwatch", run.Stderr);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task AnUnknownFirstValue_IsOneLineNamingTheOptionAndTheValuesItTakes()
    {
        var run = await Tgwatch.RunAsync([], "quiet", "--first", "short");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("tgwatch quiet: --first expects full, line or none, not 'short' (see 'tgwatch quiet --help')\n", run.Stderr);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task Help_NamesTheFirstOption_ItsValues_AndItsDefault()
    {
        var run = await Tgwatch.RunAsync([], "quiet", "--help");
        Assert.Equal(0, run.ExitCode);
        var help = Assert.Single(run.Output.Split('\n'), l => l.TrimStart().StartsWith("--first", StringComparison.Ordinal));
        Assert.Contains("--first <full|line|none>", help);
        Assert.Contains("line, one line with its gist and line count in its place (default)", help);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("line")]
    public async Task ByDefault_TheFirstTracebackOfABurst_BecomesOneLine_AndEveryLineIsCounted(string? first)
    {
        var sample = SampleLines("asyncio.cpython-3.11.7.debug.stderr.txt");
        var run = await Tgwatch.RunAsync(Encoding.UTF8.GetBytes(string.Join('\n', sample) + "\n"), ["quiet", "--stats", .. first is null ? Array.Empty<string>() : ["--first", first]]);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal([.. sample[0..2], ResetFirst, .. sample[8..10], "[tgwatch] suppressed 1× Network: WARNING:asyncio:socket.send() raised exception. (asyncio socket.send()) (1 lines)", .. sample[26..]], run.Lines.SkipLast(1));
        Assert.Matches(@"^\[tgwatch\] suppressed 10× Network in the last \S+: asyncio socket\.send\(\) 9, Python connection error 1, all over \(15 lines\)$", run.Lines[^1]);
        Assert.Equal((36L, 14L, 22L), Accounting(run));
        AssertAccounting(run);
    }

    [Fact]
    public async Task WithFirstFull_TheFirstTracebackOfABurst_IsShownAsItCame()
    {
        var sample = SampleLines("asyncio.cpython-3.11.7.debug.stderr.txt");
        var run = await Tgwatch.RunAsync(Encoding.UTF8.GetBytes(string.Join('\n', sample) + "\n"), "quiet", "--stats", "--first", "full");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal([.. sample[0..10], sample[16], .. sample[26..]], run.Lines.SkipLast(1));
        Assert.EndsWith("all over (15 lines)", run.Lines[^1]);
        Assert.Equal((36L, 21L, 15L), Accounting(run));
        AssertAccounting(run);
    }

    [Fact]
    public async Task WithFirstNone_TheFirstTracebackOfABurst_IsOnlyCountedInTheBurstsSummary()
    {
        var sample = SampleLines("asyncio.cpython-3.11.7.debug.stderr.txt");
        var run = await Tgwatch.RunAsync(Encoding.UTF8.GetBytes(string.Join('\n', sample) + "\n"), "quiet", "--stats", "--first", "none");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal([.. sample[0..2], .. sample[8..10], .. sample[26..]], run.Lines.SkipLast(1));
        Assert.Matches(@"^\[tgwatch\] suppressed 12× Network in the last \S+: asyncio socket\.send\(\) 10, Python connection error 2, all over \(22 lines\)$", run.Lines[^1]);
        Assert.Equal((36L, 14L, 22L), Accounting(run));
        AssertAccounting(run);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("quiet", "--help")]
    public async Task Help_IsThereForEveryCommand(params string[] args)
    {
        var run = await Tgwatch.RunAsync([], args);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Output);
    }

    [Fact]
    public async Task MissingProgram_GivesOneLineAndExitCode127()
    {
        var run = await Tgwatch.RunAsync([], "quiet", "--", "/nonexistent/program", "arg");
        Assert.Equal(127, run.ExitCode);
        Assert.Equal("tgwatch quiet: cannot start '/nonexistent/program': No such file or directory\n", run.Stderr);
    }

    [Fact]
    public async Task Stdin_RealAsyncioCapture_FloodBecomesOneLineAndASummary()
    {
        var sample = File.ReadAllText(Repo.Path("tests", "Tgwatch.Noise.Tests", "Samples", "asyncio.cpython-3.11.7.lastresort.stderr.txt"));
        var input = "bot: started\n" + sample + "bot: message from @alice: my socket.send() raised exception. twice\n";
        var run = await Tgwatch.RunAsync(Encoding.UTF8.GetBytes(input), "quiet", "--stats");
        Assert.Equal(0, run.ExitCode);
        var floodLines = sample.Split('\n').Count(l => l == SocketSend);
        Assert.True(floodLines >= 10, $"the sample has {floodLines} noise lines");
        Assert.DoesNotContain(SocketSend, run.Lines);
        Assert.Single(run.Lines, SocketSendFirst);
        Assert.Equal("bot: started", run.Lines[0]);
        Assert.Contains("bot: message from @alice: my socket.send() raised exception. twice", run.Lines);
        AssertAccounting(run);
    }

    [Fact]
    public async Task AsyncioChild_FloodIsCollapsed_GenuineOutputPassesUnchanged_ExitCodeKept()
    {
        string[] script = [AsyncioFlood, "--count", "300", "--genuine", "enospc", "--exit-code", "5"];
        var direct = await ProcessRun.RunAsync("python3", script);
        Assert.Equal(5, direct.ExitCode);
        var run = await Tgwatch.RunAsync(null, ["quiet", "--stats", "--", "python3", .. script]);
        Assert.Equal(5, run.ExitCode);

        var expected = direct.Output.Split('\n').Concat(direct.Stderr.Split('\n')).Where(l => l.Length > 0 && l != SocketSend).Order(StringComparer.Ordinal);
        var seen = run.Lines.Where(l => l.Length > 0 && l != SocketSend && !l.StartsWith("[tgwatch] ", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(expected, seen);
        Assert.Contains("OSError: [Errno 28] No space left on device", run.Lines);
        Assert.DoesNotContain(SocketSend, run.Lines);
        Assert.Single(run.Lines, SocketSendFirst);
        var summary = Assert.Single(run.Lines, l => l.StartsWith("[tgwatch] suppressed ", StringComparison.Ordinal) && l != SocketSendFirst);
        Assert.Contains("299× Network", summary);
        AssertAccounting(run);
    }

    [Fact]
    public async Task DotnetChild_RepeatedConnectFailuresCollapse_RealErrorsKeepTheirStackTraces()
    {
        var client = Repo.Output("tests/Tgwatch.NoisyClient", "Tgwatch.NoisyClient.dll");
        var run = await Tgwatch.RunAsync(null, "quiet", "--stats", "--", "dotnet", client, "40", "--crash");
        Assert.Equal(134, run.ExitCode); // SIGABRT of the unhandled exception, as the shell reports it
        var text = run.Output;
        Assert.Equal(0, Regex.Count(text, "Polling attempt \\d+ failed"));
        var first = Assert.Single(run.Lines, l => l.StartsWith("[tgwatch] suppressed 1× Network: ", StringComparison.Ordinal));
        // The console logger's record: its header, message, exception block and frames, as one line naming the cause.
        Assert.Matches(@"^\[tgwatch\] suppressed 1× Network: System\.Net\.Sockets\.SocketException \(111\): Connection refused \(\.NET socket error\) \(\d{2} lines\)$", first);
        Assert.Contains("noisy-client: message 42 from @alice: the socket is fine, Connection lost is a band name\n", text);
        Assert.Matches(@"fail: Bot\.Polling\[8\]\n      Could not save the message\n      System\.IO\.IOException: No space left on device : '/dev/full'\n         at ", text);
        Assert.Contains("Unhandled exception. System.InvalidOperationException: noisy-client: a genuine bug\n   at Program.<Main>$", text);
        var summary = Assert.Single(run.Lines, l => l.StartsWith("[tgwatch] suppressed ", StringComparison.Ordinal) && l != first);
        Assert.Contains("39× Network", summary);
        AssertAccounting(run);
    }

    [Fact]
    public async Task TelethonChild_ConnectionNoiseCollapses_AndItsOwnLinesPass()
    {
        var script = Repo.Path("tools", "noise-samples", "telethon_flaky.py");
        var run = await Tgwatch.RunAsync(null, "quiet", "--stats", "--", "/usr/bin/python3", script, "--seconds", "6", "--exit-code", "4");
        // A missing prerequisite is one line naming it, not a count that differs.
        var missing = run.Lines.FirstOrDefault(l => l.Contains("is not installed", StringComparison.Ordinal));
        Assert.True(missing is null, missing);
        Assert.Equal(4, run.ExitCode);
        Assert.Contains(run.Lines, l => l.StartsWith("sample-app:", StringComparison.Ordinal));
        var summaries = run.Lines.Where(l => l.StartsWith("[tgwatch] suppressed ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(summaries);
        var passedTelethon = run.Lines.Count(l => l.Contains(":telethon.", StringComparison.Ordinal));
        var hidden = Accounting(run).Suppressed;
        Assert.True(hidden > 5 * passedTelethon, $"{hidden} lines hidden, {passedTelethon} Telethon lines shown");
        AssertAccounting(run);
    }

    [Fact]
    public async Task Signals_AreForwardedToTheChild_AndItsExitCodeIsKept()
    {
        const string script = "import signal, sys, time\n" +
            "def on_term(n, f):\n    print('child: got SIGTERM', flush=True)\n    sys.exit(3)\n" +
            "signal.signal(signal.SIGTERM, on_term)\nprint('child: ready', flush=True)\ntime.sleep(30)\n";
        using var process = Tgwatch.Start("quiet", "--", "python3", "-c", script);
        process.StandardInput.Close();
        var first = await process.StandardOutput.ReadLineAsync().WaitAsync(Tgwatch.Patience);
        Assert.Equal("child: ready", first);
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        var rest = await process.StandardOutput.ReadToEndAsync().WaitAsync(Tgwatch.Patience);
        await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        Assert.Equal("child: got SIGTERM\n", rest);
        Assert.Equal(3, process.ExitCode);
    }

    [Fact]
    public async Task UnwritableOutput_GivesOneLine_AndStillTheChildsExitCode()
    {
        var run = await ProcessRun.RunAsync("bash", ["-c", $"exec {Tgwatch.Shell} quiet -- sh -c 'echo child; exit 4' > /dev/full"]);
        Assert.Equal(4, run.ExitCode);
        Assert.Equal("tgwatch quiet: cannot write the output: No space left on device\n", run.Stderr);
    }

    [Fact]
    public async Task SignalAfterTheChildExited_StopsTgwatch_EvenWhileAGrandchildHoldsThePipe()
    {
        using var process = Tgwatch.Start("quiet", "--", "sh", "-c", "sleep 20 & echo child: done; exit 5");
        process.StandardInput.Close();
        Assert.Equal("child: done", await process.StandardOutput.ReadLineAsync().WaitAsync(Tgwatch.Patience));
        // A real child process: time to exit after its last line, so that the signal comes after its exit.
        await Task.Delay(300);
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        Assert.Equal(143, process.ExitCode);
    }

    private static string[] SampleLines(string name) =>
        File.ReadAllText(Repo.Path("tests", "Tgwatch.Noise.Tests", "Samples", name)).TrimEnd('\n').Split('\n');

    private static (long In, long Passed, long Suppressed) Accounting(ProcessResult run)
    {
        var m = StatsLine().Match(run.Stderr);
        Assert.True(m.Success, $"no accounting line in stderr: {run.Stderr}");
        return (long.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value), long.Parse(m.Groups[3].Value));
    }

    /// <summary>lines in = lines passed + Σ L, with Σ L read from the summaries a user sees.</summary>
    private static void AssertAccounting(ProcessResult run)
    {
        var (linesIn, passed, suppressed) = Accounting(run);
        var summaries = run.Lines.Where(l => l.StartsWith("[tgwatch] suppressed ", StringComparison.Ordinal)).ToList();
        var sumL = summaries.Sum(s => long.Parse(SummaryLines().Match(s).Groups[1].Value));
        Assert.Equal(suppressed, sumL);
        Assert.Equal(linesIn, passed + sumL);
        Assert.Equal(passed, run.Lines.Count - summaries.Count);
    }

    [GeneratedRegex(@"\[tgwatch\] lines in (\d+), passed (\d+), suppressed (\d+) in \d+ summaries")]
    private static partial Regex StatsLine();

    [GeneratedRegex(@"\((\d+) lines\)$")]
    private static partial Regex SummaryLines();
}
