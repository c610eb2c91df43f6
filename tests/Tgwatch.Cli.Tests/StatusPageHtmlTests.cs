using System.Text.Json;
using CsCheck;
using Tgwatch.Cli.Http.Page;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// The server's renderer of the status page, without a browser: durations as the log writes them, and any document
/// rendered (a dash for what is missing or of another kind). That the page's script renders the same is
/// <see cref="StatusPageTests"/>'.
/// </summary>
public sealed class StatusPageHtmlTests
{
    [Fact]
    public void ADuration_IsWrittenAsTheLogWritesIt()
    {
        // Every millisecond below 20 s (where tenths are rounded), and a sample of longer ones.
        for (var ms = 0L; ms < 20_000; ms++) Assert.Equal(global::Tgwatch.Duration.Format(TimeSpan.FromMilliseconds(ms)), PageHtml.Duration(ms / 1000.0));
        Gen.Long[20_000, 10_000_000_000].Sample(ms => PageHtml.Duration(ms / 1000.0) == global::Tgwatch.Duration.Format(TimeSpan.FromMilliseconds(ms)), iter: 10_000);
        Assert.Equal(["290ms", "1.3s", "10s", "59s", "1m01s", "3h02m", "0ms", PageHtml.None],
            new[] { 0.29, 1.25, 9.96, 59.9, 61, 10921.4, -4, 1e300 }.Select(PageHtml.Duration));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("""{"link":"down","sinks":{"a":1},"chats":[[1],null,"x"],"dead_letters":7,"noise":{"hidden":[1]},"ready":1}""")]
    public void AnyDocument_IsRendered_WithADashForWhatItLacks(string status)
    {
        using var document = JsonDocument.Parse(status);
        var html = StatusPage.Html(document.RootElement, DateTimeOffset.UnixEpoch);
        Assert.Contains("<dd data-path=\"received\">—</dd>", html);
        Assert.Contains("<p class=\"readiness\" data-path=\"ready\">—</p>", html);
        Assert.Contains("<title>tgwatch</title>", html);
        Assert.Contains("Figures of 1970-01-01 00:00:00Z.", html);
    }

    [Fact]
    public void Text_IsEncoded_AsTheScriptEncodesIt() =>
        Assert.Equal("&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt; Ева 🐱", PageHtml.Encode("<a href=\"x\">Tom & Jerry's</a> Ева 🐱"));
}
