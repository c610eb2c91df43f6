using Tgwatch.Secrets;

namespace Tgwatch.Core.Tests.Secrets;

public sealed class SecretRedactorTests
{
    // The shape of a bot token (id, colon, 35 characters); not a real one.
    private const string Token = "1234567890:AAFakeFakeFakeFakeFakeFakeFakeFake_-x";

    // A redactor of its own, so what one test registers does not mask another test's text.
    private readonly SecretRedactor _redactor = new();

    [Theory]
    [InlineData("GET https://api.telegram.org/bot" + Token + "/getUpdates failed", "GET https://api.telegram.org/bot<redacted>/getUpdates failed")]
    [InlineData("token " + Token + " rejected", "token <redacted> rejected")]
    [InlineData("Failed to convert configuration value '123456:AAHabcdefghijklmnopqrstuvwxyz0123456' at 'BotApi'", "Failed to convert configuration value '<redacted>' at 'BotApi'")]
    [InlineData("id of 16 digits 1234567890123456:AAHabcdefghijklmnopqrstuvwxyz0123456 ok", "id of 16 digits <redacted> ok")]
    [InlineData("a long secret 123456:AAHabcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz", "a long secret <redacted>")]
    [InlineData("unknown option or argument '--7012345678:AAFq3x-Zk9_8HrT5bLmNpQwErTyUiOpAsDf'", "unknown option or argument '--<redacted>'")]
    [InlineData("at 12:30:45 the job ran", "at 12:30:45 the job ran")]
    [InlineData("chat -1001234567890: hello", "chat -1001234567890: hello")]
    public void BotTokens_AreMaskedWhereverTheyAppear(string text, string expected) =>
        Assert.Equal(expected, _redactor.Redact(text));

    [Fact]
    public void BotTokens_AreMaskedByTheDefault_WithoutBeingRegistered() =>
        Assert.Equal("token <redacted> rejected", SecretRedactor.Default.Redact("token " + Token + " rejected"));

    [Fact]
    public void RegisteredValues_AreMasked_LongestFirst()
    {
        _redactor.Register("s3cr3t-webhook-key");
        _redactor.Register("s3cr3t-webhook-key-and-more");
        _redactor.Register("ab"); // too short to be a secret: ignored, or every "ab" would vanish
        Assert.Equal("sig <redacted> / <redacted> / ab", _redactor.Redact("sig s3cr3t-webhook-key-and-more / s3cr3t-webhook-key / ab"));
    }

    [Fact]
    public void ValuesRegisteredWithTheDefault_AreMaskedByIt()
    {
        SecretRedactor.Default.Register("s3cr3t-default-webhook-key");
        Assert.Equal("sig <redacted>", SecretRedactor.Default.Redact("sig s3cr3t-default-webhook-key"));
    }

    [Fact]
    public void TextWithoutSecrets_IsReturnedAsItIs()
    {
        const string text = "nothing to hide here";
        Assert.Same(text, _redactor.Redact(text));
    }
}
