namespace Tgwatch.Core.Tests;

/// <summary>Text of several lines said by a command: each line gets the command's prefix.</summary>
public sealed class TextLinesTests
{
    [Fact]
    public void EachLine_GetsThePrefix() =>
        Assert.Equal($"tgwatch run: a{Environment.NewLine}tgwatch run: b", "a\nb".EachLinePrefixed("tgwatch run: "));

    [Fact]
    public void OneLine_GetsItOnce() => Assert.Equal("tgwatch run: a", "a".EachLinePrefixed("tgwatch run: "));
}
