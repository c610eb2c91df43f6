using System.Globalization;
using System.Text.RegularExpressions;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Tdlib.Tests;

/// <summary>TDLib's connection failures behind the CLI's logging stack, in a child process whose stderr is watched.</summary>
public sealed partial class Socks5NoiseTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Tdlib_connection_failures_through_the_cli_logging_become_counted_summaries_and_nothing_reaches_stderr()
    {
        // At debug every TDLib line reaches the gate: shown, or hidden and counted in a summary.
        var (raw, below, shown, hidden, visible, summaries) = await RunChildAsync("debug");

        Assert.Equal(0, below);
        Assert.Equal(raw, shown + hidden);
        // Dozens of lines become a handful: TDLib's start-up records, one line for the first of each kind of failure
        // (the default of Noise:First), and the summaries.
        Assert.InRange(visible, 2, 12);
        Assert.NotEmpty(summaries);
        Assert.All(summaries, s => Assert.Matches(@"\[tgwatch\] suppressed (\d+× (Network|Timeout) in the last \S+: .*TDLib .*|1× (Network|Timeout): \[ ?\d\]\[t \d+\].* \(TDLib [^()]+\)) \(\d+ events\)$", s));
        Assert.Contains(summaries, s => s.Contains("suppressed 1× Network: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task At_info_TDLib_lines_below_the_log_level_are_counted_so_every_line_is_accounted_for()
    {
        // At info TDLib's warnings are below the level: not shown, not gated, counted by the runtime.
        var (raw, below, shown, hidden, visible, _) = await RunChildAsync("info");

        Assert.InRange(below, 1, raw);
        Assert.Equal(raw, shown + hidden + below);
        Assert.InRange(visible, 0, 12);
    }

    private async Task<(int Raw, int Below, int Shown, int Hidden, int Visible, List<string> Summaries)> RunChildAsync(string level)
    {
        // The child switches its SOCKS5 proxy through every way of failing, 2 s each, while TDLib retries.
        string[] args = [TestHost.ChildDll, "socks", TestHost.TempDir(), "8", "Refuse,Reset,HandshakeThenReset,Stall", .. level == "info" ? ["info"] : Array.Empty<string>()];
        using var child = ProcessRun.Start("dotnet", args, redirectStdin: false);
        var result = await ProcessRun.WaitAsync(child, null, TimeSpan.FromSeconds(60));
        foreach (var line in result.Lines) output.WriteLine(line);

        Assert.Equal("", result.Stderr);
        Assert.Equal(0, result.ExitCode);
        var end = EndLine().Match(result.Lines[^1]);
        Assert.True(end.Success, result.Lines[^1]);
        var raw = int.Parse(end.Groups["raw"].Value, CultureInfo.InvariantCulture);
        var below = int.Parse(end.Groups["below"].Value, CultureInfo.InvariantCulture);
        Assert.Equal("0", end.Groups["dropped"].Value);
        Assert.StartsWith("connectionStateConnectingToProxy", end.Groups["states"].Value, StringComparison.Ordinal);
        Assert.InRange(raw, 30, 1000);

        var visible = result.Lines.Take(result.Lines.Count - 1).ToList();
        var shown = visible.Count(l => TdlibLine().IsMatch(l));
        var summaries = visible.Where(l => l.Contains(" warn Tgwatch.Noise: [tgwatch] suppressed ", StringComparison.Ordinal)).ToList();
        var hidden = summaries.Sum(s => int.Parse(SummaryCount().Match(s).Groups["events"].Value, CultureInfo.InvariantCulture));
        Assert.Equal(visible.Count, shown + summaries.Count);
        return (raw, below, shown, hidden, visible.Count, summaries);
    }

    [GeneratedRegex(@" (warn|fail|crit) Tgwatch\.Tdlib\.Native: \[ ?\d\]\[t ")]
    private static partial Regex TdlibLine();

    [GeneratedRegex(@"^socks raw (?<raw>\d+) dropped (?<dropped>\d+) below (?<below>\d+) states (?<states>\S*) accepted \d+ greetings \d+ requests \d+$")]
    private static partial Regex EndLine();

    [GeneratedRegex(@"\((?<events>\d+) events\)$")]
    private static partial Regex SummaryCount();
}
