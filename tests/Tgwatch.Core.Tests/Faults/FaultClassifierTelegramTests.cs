using Tgwatch.Faults;

namespace Tgwatch.Core.Tests.Faults;

public sealed class FaultClassifierTelegramTests
{
    [Theory]
    [InlineData(420, "FLOOD_WAIT_17", FaultKind.RateLimited)]
    [InlineData(429, "Too Many Requests: retry after 5", FaultKind.RateLimited)]
    [InlineData(420, "FLOOD_PREMIUM_WAIT_3", FaultKind.RateLimited)]
    [InlineData(400, "SLOWMODE_WAIT_30", FaultKind.RateLimited)]
    [InlineData(401, "Unauthorized", FaultKind.Auth)]
    [InlineData(401, "AUTH_KEY_UNREGISTERED", FaultKind.Auth)]
    [InlineData(401, "SESSION_REVOKED", FaultKind.Auth)]
    [InlineData(401, "SESSION_EXPIRED", FaultKind.Auth)]
    [InlineData(401, "USER_DEACTIVATED", FaultKind.Auth)]
    [InlineData(401, "USER_DEACTIVATED_BAN", FaultKind.Auth)]
    [InlineData(406, "AUTH_KEY_DUPLICATED", FaultKind.Auth)]
    [InlineData(400, "AUTH_KEY_INVALID", FaultKind.Auth)]
    [InlineData(500, "Internal Server Error", FaultKind.Network)]
    [InlineData(502, "Bad Gateway", FaultKind.Network)]
    [InlineData(-503, "Timeout", FaultKind.Timeout)]
    [InlineData(400, "Bad Request: chat not found", FaultKind.Bug)]
    [InlineData(403, "Forbidden: bot was blocked by the user", FaultKind.Bug)]
    [InlineData(404, "Not Found", FaultKind.Bug)]
    [InlineData(409, "Conflict: terminated by other getUpdates request", FaultKind.Bug)]
    public void Classify_TelegramError_DecidesByCodeAndToken(int code, string type, FaultKind expected)
    {
        Assert.Equal(expected, FaultClassifier.Default.Classify(new TelegramApiException(code, type)).Kind);
    }

    [Theory]
    [InlineData("FLOOD_WAIT_17", 17)]
    [InlineData("FLOOD_WAIT_0", 0)]
    [InlineData("FLOOD_PREMIUM_WAIT_3", 3)]
    [InlineData("SLOWMODE_WAIT_30", 30)]
    public void Classify_WaitToken_CarriesItsDelay(string type, int seconds)
    {
        var fault = FaultClassifier.Default.Classify(new TelegramApiException(420, type));

        Assert.Equal(new Fault(FaultKind.RateLimited, TimeSpan.FromSeconds(seconds)), fault);
    }

    [Fact]
    public void Classify_RetryAfterProperty_WinsOverTheToken()
    {
        var exception = new TelegramApiException(420, "FLOOD_WAIT_17", retryAfter: TimeSpan.FromSeconds(20));

        Assert.Equal(TimeSpan.FromSeconds(20), FaultClassifier.Default.Classify(exception).RetryAfter);
    }

    [Fact]
    public void Classify_BotApiRateLimit_TakesTheDelayFromTheProperty()
    {
        var exception = new TelegramApiException(429, "Too Many Requests: retry after 5", TimeSpan.FromSeconds(5));

        Assert.Equal(new Fault(FaultKind.RateLimited, TimeSpan.FromSeconds(5)), FaultClassifier.Default.Classify(exception));
    }

    [Theory]
    [InlineData("Too Many Requests: retry after 5")]
    [InlineData("FLOOD_WAIT_")]
    [InlineData("FLOOD_WAIT_X")]
    [InlineData("FLOOD_WAIT_99999999999")]
    public void Classify_RateLimitWithoutAUsableDelay_LeavesRetryAfterUnknown(string type)
    {
        var fault = FaultClassifier.Default.Classify(new TelegramApiException(429, type));

        Assert.Equal(new Fault(FaultKind.RateLimited), fault);
    }

    [Fact]
    public void Message_HoldsOnlyWhatTheServerSaid()
    {
        var exception = new TelegramApiException(
            401, "Unauthorized", innerException: new InvalidOperationException("https://api.telegram.org/bot123:SECRET/getMe"));

        Assert.Equal("Telegram API error 401: Unauthorized", exception.Message);
        Assert.Equal(401, exception.ErrorCode);
        Assert.Equal("Unauthorized", exception.ErrorType);
        Assert.Null(exception.RetryAfter);
    }

    [Fact]
    public void Constructor_NegativeRetryAfter_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new TelegramApiException(429, "Too Many Requests", TimeSpan.FromSeconds(-1)));
    }

    [Fact]
    public void Constructor_NullErrorType_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new TelegramApiException(400, null!));
    }
}
