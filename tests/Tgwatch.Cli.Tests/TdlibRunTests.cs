using System.Text.Json;
using Tgwatch.Cli.Run;
using Tgwatch.Tdlib;

namespace Tgwatch.Cli.Tests;

public sealed class TdlibRunTests
{
    private static JsonElement Json(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    // records carry the account as the Bot API connector names it: a user is user<id>, a bot logged in through TDLib bot<id>.
    [Theory]
    [InlineData("""{"@type":"user","id":777,"first_name":"A","type":{"@type":"userTypeRegular"}}""", "user777")]
    [InlineData("""{"@type":"user","id":123456789,"first_name":"B","type":{"@type":"userTypeBot","can_join_groups":true}}""", "bot123456789")]
    [InlineData("""{"type":{"@type":"userTypeBot"},"@type":"user","id":5}""", "bot5")]
    public void TheAccount_IsNamedAfterTheLoggedInUser(string me, string account) => Assert.Equal(account, TdlibRun.AccountOf(Json(me)));

    [Theory]
    [InlineData("""{"@type":"user"}""")]
    [InlineData("""{"@type":"user","id":"x"}""")]
    [InlineData("[]")]
    public void AGetMeAnswerWithoutAnId_IsATypedError(string me) => Assert.Throws<TdlibErrorException>(() => TdlibRun.AccountOf(Json(me)));

    // the account's phone number, which getMe answers with, is masked from then on wherever a line would carry it.
    [Fact]
    public async Task TheAccountsPhoneNumber_IsASecretOnceKnown()
    {
        var session = new global::Tgwatch.TestKit.ScriptedTdSession()
            .On("getMe", _ => """{"@type":"user","id":777,"first_name":"A","phone_number":"15550007788","type":{"@type":"userTypeRegular"}}""");
        Assert.Equal("user777", await TdlibRun.AccountAsync(session, TimeSpan.FromSeconds(5), default));
        Assert.DoesNotContain("15550007788", global::Tgwatch.Secrets.SecretRedactor.Default.Redact("logged in as 15550007788"), StringComparison.Ordinal);
    }
}
