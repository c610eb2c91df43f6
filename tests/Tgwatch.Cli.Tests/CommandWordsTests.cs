using Tgwatch.Cli.Handlers;

namespace Tgwatch.Cli.Tests;

/// <summary>A handler's command split into words as a POSIX shell splits it, and joined back into one name for its dead letters.</summary>
public sealed class CommandWordsTests
{
    [Theory]
    [InlineData("python3 handler.py", new[] { "python3", "handler.py" })]
    [InlineData("  python3   handler.py  ", new[] { "python3", "handler.py" })]
    [InlineData("sh -c 'echo hi; exec python3 h.py'", new[] { "sh", "-c", "echo hi; exec python3 h.py" })]
    [InlineData("sh -c \"echo \\\"hi\\\" \\\\ \\$HOME\"", new[] { "sh", "-c", "echo \"hi\" \\ $HOME" })]
    [InlineData("say \"a\\nb\"", new[] { "say", "a\\nb" })]
    [InlineData("/opt/my\\ handler/run --name=it''s", new[] { "/opt/my handler/run", "--name=its" })]
    [InlineData("node 'a b'c\"d e\"", new[] { "node", "a bcd e" })]
    [InlineData("run ''", new[] { "run", "" })]
    public void ACommand_IsSplitAsAShellSplitsIt_AndItsJoinedFormReadsBackTheSame(string command, string[] words)
    {
        Assert.Equal(words, CommandWords.Split(command, out var problem));
        Assert.Null(problem);
        Assert.Equal(words, CommandWords.Split(CommandWords.Join(words), out _));
    }

    [Theory]
    [InlineData("sh -c 'echo hi", "a ' is not closed")]
    [InlineData("sh -c \"echo hi", "a \" is not closed")]
    public void AQuoteNotClosed_IsAProblem(string command, string problem)
    {
        Assert.Null(CommandWords.Split(command, out var said));
        Assert.Equal(problem, said);
    }

    [Fact]
    public void TwoSpellingsOfOneCommand_NameOneHandler()
    {
        var (one, _) = HandlerSpec.ParseAll([new HandlerSettings { Exec = "exec:python3  'handler.py'" }]);
        var (other, _) = HandlerSpec.ParseAll([new HandlerSettings { Exec = "python3 handler.py" }]);
        Assert.Equal("exec:python3 handler.py", Assert.Single(one).Exec.Name);
        Assert.Equal(one[0].Exec.Name, Assert.Single(other).Exec.Name);
    }
}
