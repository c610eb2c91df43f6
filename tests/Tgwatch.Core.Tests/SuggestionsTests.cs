namespace Tgwatch.Core.Tests;

/// <summary>The "did you mean" of an unknown name: close names are suggested as the program spells them, far ones never.</summary>
public sealed class SuggestionsTests
{
    private static readonly string[] BotApiKeys = ["Token", "Url", "PollTimeoutSeconds", "HttpMarginSeconds", "MaxBackoff"];

    [Theory]
    [InlineData("Tokn", "Token")]
    [InlineData("tokn", "Token")]
    [InlineData("TOKEN", "Token")]
    [InlineData("Toekn", "Token")]
    [InlineData("Uri", "Url")]
    [InlineData("MaxBackof", "MaxBackoff")]
    [InlineData("PollTimeout", "PollTimeoutSeconds")]
    [InlineData("Poll", "PollTimeoutSeconds")]
    public void ANameACloseOneResembles_IsGivenThatOne(string written, string expected) =>
        Assert.Equal(expected, Suggestions.Closest(written, BotApiKeys));

    [Theory]
    [InlineData("Colour")]
    [InlineData("X")]
    [InlineData("Secret")]
    [InlineData("")]
    public void ANameNothingResembles_IsGivenNone(string written) =>
        Assert.Null(Suggestions.Closest(written, BotApiKeys));

    [Fact]
    public void TheFewestEditsWin_AndTheFirstOfATie() =>
        Assert.Equal("chat_id", Suggestions.Closest("chatid", ["chat", "chat_ids", "chat_id", "chat-id"]));

    [Fact]
    public void NoKnownNames_NoSuggestion() => Assert.Null(Suggestions.Closest("Token", []));
}
