using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary><c>tgwatch --version</c>: what is installed, in three lines.</summary>
public sealed class VersionTests
{
    [Fact]
    public async Task Version_SaysTgwatchsVersion_TheTdlibItFinds_AndTheRuntime()
    {
        var run = await Tgwatch.RunAsync(null, "--version");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(3, run.Lines.Count);
        Assert.Matches(@"^tgwatch \d+\.\d+\.\d+", run.Lines[0]);
        Assert.StartsWith("TDLib 1.8.65 (", run.Lines[1]);
        Assert.EndsWith("libtdjson.so)", run.Lines[1]);
        Assert.Matches(@"^\.NET 10\.\d+\.\d+ \(", run.Lines[2]);
    }

    [Fact]
    public async Task Version_WithoutTdlib_SaysWhyItIsNotFound_AndStillExitsZero()
    {
        using var process = Tgwatch.StartWith(new Dictionary<string, string> { ["TGWATCH_TDJSON"] = "/nonexistent/libtdjson.so" }, "--version");
        var run = await ProcessRun.WaitAsync(process, null, TimeSpan.FromSeconds(60));
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("TDLib not found: libtdjson not found at /nonexistent/libtdjson.so (from TGWATCH_TDJSON)", run.Lines[1]);
    }
}
