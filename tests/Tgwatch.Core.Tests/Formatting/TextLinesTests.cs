using Tgwatch.Formatting;

namespace Tgwatch.Core.Tests.Formatting;

/// <summary>Text for one-line messages: the first line of an error, and text of several lines said by a command with its prefix.</summary>
public sealed class TextLinesTests
{
    [Theory]
    [InlineData("a", "a")]
    [InlineData("a\nb", "a")]
    [InlineData("a\r\nb", "a")]
    [InlineData("a\rb", "a")]
    [InlineData("\nb", "")]
    [InlineData("", "")]
    public void FirstLine_EndsAtTheFirstLineBreak(string text, string expected) => Assert.Equal(expected, TextLines.FirstLine(text));

    [Fact]
    public void EachLine_GetsThePrefix() =>
        Assert.Equal($"tgwatch run: a{Environment.NewLine}tgwatch run: b", TextLines.EachLinePrefixed("a\nb", "tgwatch run: "));

    [Fact]
    public void OneLine_GetsItOnce() => Assert.Equal("tgwatch run: a", TextLines.EachLinePrefixed("a", "tgwatch run: "));
}
