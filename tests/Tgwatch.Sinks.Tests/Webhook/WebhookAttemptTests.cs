using System.Net.Http.Headers;
using Tgwatch.Sinks.Webhook;

namespace Tgwatch.Sinks.Tests.Webhook;

public sealed class WebhookAttemptTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(200, 5, nameof(AttemptResult.Delivered))]
    [InlineData(204, 5, nameof(AttemptResult.Delivered))]
    [InlineData(408, 5, nameof(AttemptResult.Retry))]
    [InlineData(429, 5, nameof(AttemptResult.Retry))]
    [InlineData(500, 5, nameof(AttemptResult.Retry))]
    [InlineData(503, 5, nameof(AttemptResult.Retry))]
    [InlineData(302, 5, nameof(AttemptResult.Retry))]
    [InlineData(400, 5, nameof(AttemptResult.Rejected))]
    [InlineData(422, 5, nameof(AttemptResult.Rejected))]
    [InlineData(401, 5, nameof(AttemptResult.Refused))]
    [InlineData(403, 1, nameof(AttemptResult.Refused))]
    [InlineData(404, 5, nameof(AttemptResult.Refused))]
    [InlineData(405, 5, nameof(AttemptResult.Refused))]
    [InlineData(407, 5, nameof(AttemptResult.Refused))]
    [InlineData(413, 5, nameof(AttemptResult.TooLarge))]
    [InlineData(413, 1, nameof(AttemptResult.Rejected))]
    public void Classify_Status(int status, int records, string expected) =>
        Assert.Equal(expected, WebhookAttempt.Classify(status, records).ToString());

    [Fact]
    public void RetryAfter_DeltaDateOrNone()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), WebhookAttempt.RetryAfterOf(new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), Now));
        Assert.Equal(TimeSpan.FromSeconds(90), WebhookAttempt.RetryAfterOf(new RetryConditionHeaderValue(Now.AddSeconds(90)), Now));
        Assert.Equal(TimeSpan.Zero, WebhookAttempt.RetryAfterOf(new RetryConditionHeaderValue(Now.AddSeconds(-90)), Now));
        Assert.Null(WebhookAttempt.RetryAfterOf(null, Now));
    }

    [Fact]
    public void SafeUrl_DropsUserInfoQueryAndFragment()
    {
        var url = new Uri("https://u:p@hooks.example.com/a/b?token=x#f");

        Assert.Equal("https://hooks.example.com:443/…", SafeUrl.ForLog(url));
        Assert.Equal("https://hooks.example.com:443", SafeUrl.ForLog(new Uri("https://hooks.example.com/")));
        Assert.Matches("^webhook:https://hooks.example.com:443/…#[0-9a-f]{8}$", SafeUrl.SinkName(url));
        Assert.NotEqual(SafeUrl.SinkName(url), SafeUrl.SinkName(new Uri("https://hooks.example.com/a/c")));
        Assert.Equal("https://hooks.example.com/a/b?token=x#f", SafeUrl.WithoutUserInfo(url).ToString());
        Assert.Equal("dTpw", SafeUrl.BasicCredentials(url));
        Assert.Null(SafeUrl.BasicCredentials(new Uri("http://h/")));
    }
}
