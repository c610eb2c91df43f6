namespace Tgwatch.Cli.Tests;

/// <summary><c>tgwatch demo</c>, the first command a newcomer runs: it must end with honest figures.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task TheDemo_LosesNothing_DuplicatesNothing_AndSaysSo()
    {
        var run = await Tgwatch.RunAsync(null, "demo"); // as the README runs it
        Assert.Equal(0, run.ExitCode);
        var figures = run.Stderr.TrimEnd('\n').Split('\n')[^1];
        Assert.Matches(@"^\[tgwatch\] demo: sent (\d+), received \1, duplicates 0, lost 0$", figures);
        Assert.Contains("Bot API: connection down since", run.Stderr);
        Assert.Contains("Bot API: up again after", run.Stderr);
        Assert.True(run.Lines.Count >= 100, $"only {run.Lines.Count} messages printed");
        Assert.DoesNotContain(" error ", run.Stderr);
    }
}
