using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>What a newcomer stumbled on in a first hour, acted out as they did.</summary>
public sealed class NewcomerTests
{
    private readonly string _dir = Some.TempDirectory("tgwatch-newcomer");

    private string P(string name) => Path.Combine(_dir, name);

    [Fact]
    public async Task QuietListRules_WritesTheListingToStdout_SoGrepAndFilesGetIt()
    {
        var run = await Tgwatch.RunAsync(null, "quiet", "--list-rules");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.Lines, l => l.Contains("asyncio", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task ImportOfAMissingFile_IsOneLineInWords_AndLeavesNoStateStoreBehind()
    {
        var run = await Tgwatch.RunAsync(null, "import", P("nonexistent.jsonl"), "--sink", "console", "--state", P("st.db"));
        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"tgwatch import: cannot read {P("nonexistent.jsonl")}: no such file\n", run.Stderr);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task StatusAndDeadLettersList_OnAMissingStore_GiveTheSameAnswer()
    {
        var status = await Tgwatch.RunAsync(null, "status", "--state", P("missing.db"));
        var list = await Tgwatch.RunAsync(null, "deadletters", "list", "--state", P("missing.db"));
        Assert.Equal((2, $"tgwatch status: no state store at {P("missing.db")} (nothing has run with it yet)\n"), (status.ExitCode, status.Stderr));
        Assert.Equal((2, $"tgwatch deadletters list: no state store at {P("missing.db")} (nothing has run with it yet)\n"), (list.ExitCode, list.Stderr));
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task LogLevelHelp_SpeaksOneVocabulary()
    {
        var help = await Tgwatch.RunAsync(null, "run", "--help");
        var line = Assert.Single(help.Lines, l => l.TrimStart().StartsWith("--log-level", StringComparison.Ordinal));
        Assert.Contains("--log-level <trace|debug|info|warn|error>", line);
        Assert.DoesNotContain("Information", line);
        Assert.DoesNotContain("Critical", line);
    }
}
