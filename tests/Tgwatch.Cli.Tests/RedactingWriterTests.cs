using Tgwatch.Cli.Hosting;

namespace Tgwatch.Cli.Tests;

/// <summary>The writer every line of the program goes through: secrets masked, also when written in pieces, prompts not held back.</summary>
public sealed class RedactingWriterTests
{
    private const string Token = "123456:AAHabcdefghijklmnopqrstuvwxyz0123456";

    [Fact]
    public void ATokenWrittenInPieces_IsMaskedWhole()
    {
        var inner = new StringWriter();
        using var writer = new RedactingWriter(inner);
        writer.Write("token ");
        writer.Write(Token[..10]);
        writer.Write(Token[10..]);
        writer.WriteLine(" rejected");
        Assert.Equal($"token <redacted> rejected{Environment.NewLine}", inner.ToString());
    }

    [Fact]
    public void APromptWithoutALineEnd_IsPassedOnWhenFlushed()
    {
        var inner = new StringWriter();
        using var writer = new RedactingWriter(inner);
        writer.Write("Phone number: ");
        Assert.Equal("Phone number: ", inner.ToString());
        writer.Write("+4412");
        writer.Flush();
        Assert.Equal("Phone number: +4412", inner.ToString());
    }

    [Fact]
    public void UnwrapGivesTheWriterUnderneath_ForWhatIsPrintedOnPurpose()
    {
        var inner = new StringWriter();
        using var writer = new RedactingWriter(inner);
        Assert.Same(inner, RedactingWriter.Unwrap(writer));
        Assert.Same(inner, RedactingWriter.Unwrap(inner));
    }
}
