using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Noise.Logging;
using Tgwatch.TestKit;

namespace Tgwatch.Noise.Tests.Logging;

/// <summary>Categories whose messages are another program's log records (TDLib's), classified by the rule packs.</summary>
public sealed class TextCategoryTests
{
    private const string Native = "Tgwatch.Tdlib.Native";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
    private readonly CollectingLoggerProvider _inner = new();

    private NoiseGatedLoggerProvider Gated(NoiseOptions? options = null) =>
        new(_inner, options ?? new NoiseOptions(), _time, textRules: new Dictionary<string, NoiseRules> { [Native] = NoiseRules.Load() });

    private static int Events(string summary) =>
        int.Parse(summary[(summary.LastIndexOf('(') + 1)..summary.LastIndexOf(" events)", StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);

    private static string[] Lines(string sample) => File.ReadAllLines(SampleClassification.SamplePath(sample));

    private void LogAll(ILogger log, IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            log.Log(LogLevel.Warning, "{TdlibLine}", line);
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }
    }

    [Theory]
    [InlineData("tdlib-1.8.65.socks5-refuse.callback.txt", "TDLib connection activity 41, TDLib connect 3", "TDLib connection activity, TDLib connect")]
    [InlineData("tdlib-1.8.65.socks5-reset.callback.txt", "TDLib connection activity 41, TDLib connect 3", "TDLib connection activity, TDLib connect")]
    [InlineData("tdlib-1.8.65.socks5-handshake-then-reset.callback.txt", "TDLib connection activity 52, TDLib connection check 2", "TDLib connection activity, TDLib session handshake, TDLib connection check")]
    public void RealTdlibLinesOfARunThroughAProxyThatFails_ByDefault_EachSourcesFirstBecomesOneLine_TheRestASummary(string sample, string sources, string firstSources)
    {
        var lines = Lines(sample);
        var provider = Gated();
        LogAll(provider.CreateLogger(Native), lines);
        provider.Dispose();

        var shown = _inner.Entries.Where(e => e.Category == Native).Select(e => e.Message).ToList();
        var noise = _inner.Entries.Where(e => e.Category == "Tgwatch.Noise").Select(e => e.Message).ToList();
        var summary = Assert.Single(noise, m => m.Contains(" in the last ", StringComparison.Ordinal));
        Assert.Contains(sources, summary);
        var firsts = noise.Where(m => m != summary).ToList();
        Assert.All(firsts, m => Assert.Matches(@"^\[tgwatch\] suppressed 1× Network: \[ ?\d\]\[t \d+\]\[[\d.]+\]\[\w+\.cpp:\d+\]\S* \S.* \(TDLib [^()]+\) \(1 events\)$", m));
        Assert.Equal(firstSources, string.Join(", ", firsts.Select(m => m[(m.LastIndexOf(" (TDLib ", StringComparison.Ordinal) + 2)..m.LastIndexOf(") (", StringComparison.Ordinal)])));
        // Every line is shown or counted: lines = shown + Σ events of every summary line.
        Assert.Equal(lines.Length, shown.Count + noise.Sum(Events));
        // TDLib's start-up records pass; none of its connection failures is shown as it came.
        Assert.Contains(shown, m => m.Contains("Set PRAGMA user_version", StringComparison.Ordinal));
        Assert.Contains(shown, m => m.Contains("Generate new session_id", StringComparison.Ordinal));
        Assert.Equal(lines.Length - noise.Sum(Events), shown.Count);
        Assert.InRange(shown.Count, 2, 5);
    }

    [Fact]
    public void RealTdlibLinesOfARun_WithFull_TheFirstOfEachSourceIsShownAsItCame()
    {
        var lines = Lines("tdlib-1.8.65.socks5-refuse.callback.txt");
        var provider = Gated(new NoiseOptions { First = FirstRecord.Full });
        LogAll(provider.CreateLogger(Native), lines);
        provider.Dispose();

        var shown = _inner.Entries.Where(e => e.Category == Native).Select(e => e.Message).ToList();
        var summary = Assert.Single(_inner.Entries, e => e.Category == "Tgwatch.Noise").Message;
        Assert.Contains("TDLib connection activity 41, TDLib connect 3", summary);
        Assert.Equal(lines.Length, shown.Count + Events(summary));
        Assert.InRange(shown.Count, 4, 7);
    }

    [Fact]
    public void AStalledProxyHandshake_IsCountedAsTimeout_ApartFromTheNetworkNoise()
    {
        var provider = Gated();
        LogAll(provider.CreateLogger(Native), Lines("tdlib-1.8.65.socks5-stall.callback.txt"));
        provider.Dispose();
        var timeout = Assert.Single(_inner.Entries, e => e.Message.Contains("Connection timeout expired", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, timeout.Level);
        Assert.Matches(@"^\[tgwatch\] suppressed 1× Timeout: .*Connection timeout expired.* \(TDLib connect timeout\) \(1 events\)$", timeout.Message);
        Assert.DoesNotContain(_inner.Entries, e => e.Message.StartsWith("[tgwatch] suppressed", StringComparison.Ordinal) && e.Message.Contains("Timeout in the last", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSameLinesUnderAnotherCategory_AreNotClassifiedByText()
    {
        var lines = Lines("tdlib-1.8.65.socks5-refuse.callback.txt");
        using var provider = Gated();
        LogAll(provider.CreateLogger("Some.Other.Category"), lines);
        Assert.Equal(lines.Length, _inner.Entries.Count);
    }

    [Fact]
    public void AMultiLineMessage_IsOneRecord_AndLineRulesDoNotTakeIt()
    {
        var line = Lines("tdlib-1.8.65.socks5-refuse.callback.txt").First(l => l.Contains("Failed connection", StringComparison.Ordinal));
        using var provider = Gated();
        var log = provider.CreateLogger(Native);
        for (var i = 0; i < 5; i++) log.LogWarning("{TdlibLine}", line + "\n  with a continuation line");
        Assert.Equal(5, _inner.Entries.Count);
    }

    [Fact]
    public void AnEventWithAnException_InATextCategory_Passes()
    {
        var line = Lines("tdlib-1.8.65.socks5-refuse.callback.txt").First(l => l.Contains("Failed connection", StringComparison.Ordinal));
        using var provider = Gated();
        var log = provider.CreateLogger(Native);
        for (var i = 0; i < 3; i++) log.LogWarning(new InvalidOperationException("bug"), "{TdlibLine}", line);
        Assert.Equal(3, _inner.Entries.Count);
    }
}
