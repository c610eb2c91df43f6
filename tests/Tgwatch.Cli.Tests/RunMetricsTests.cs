using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Cli.Http;
using Tgwatch.Faults;
using Tgwatch.Noise;
using Tgwatch.Noise.Logging;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>The noise gate's counts as the run serves them: <c>tgwatch_noise_lines_hidden_total{kind,source}</c>, <c>tgwatch_noise_summaries_total</c>, and <c>noise</c> in <c>/api/status</c>.</summary>
public sealed class RunMetricsTests
{
    [Fact]
    public void WhatTheNoiseGateHid_IsServedByKindAndSource_AndItsSummariesCounted()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero));
        using var gated = new NoiseGatedLoggerProvider(new CollectingLoggerProvider(), new NoiseOptions(), time);
        var log = gated.CreateLogger("Tgwatch.BotApi");
        for (var i = 0; i < 40; i++) log.LogWarning(new EventId(7, "PollFailed"), new HttpRequestException("Connection refused", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)), "poll failed");
        for (var i = 0; i < 3; i++) log.LogWarning(new EventId(8, "Slow"), new TimeoutException("timed out"), "poll timed out");
        time.Advance(TimeSpan.FromSeconds(6)); // the bursts are over: their summaries are written
        var live = new LiveRun(time, gated.Gate);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _ = new RunMetrics(services.GetRequiredService<IMeterFactory>(), live);

        var measured = Collect(services.GetRequiredService<IMeterFactory>());
        // The first of each burst is shown as one line in its place; the rest are hidden.
        Assert.Equal(
            [("network", "Tgwatch.BotApi[7 PollFailed]", 39L), ("timeout", "Tgwatch.BotApi[8 Slow]", 2L)],
            measured.Where(m => m.Name == "tgwatch.noise.lines_hidden").Select(m => (m.Tags["kind"], m.Tags["source"], m.Value)).OrderBy(m => m.Item2));
        var summaries = Assert.Single(measured, m => m.Name == "tgwatch.noise.summaries").Value;
        Assert.Equal(gated.Gate.Summaries, summaries);
        Assert.True(summaries >= 2, $"{summaries} summaries");

        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer)) RunStatusJson.Write(json, live);
        using var doc = JsonDocument.Parse(Encoding.UTF8.GetString(buffer.ToArray()));
        var noise = doc.RootElement.GetProperty("noise");
        Assert.Equal((39L, 2L, summaries), (noise.GetProperty("hidden").GetProperty("network").GetInt64(), noise.GetProperty("hidden").GetProperty("timeout").GetInt64(), noise.GetProperty("summaries").GetInt64()));
    }

    private sealed record Measured(string Name, long Value, Dictionary<string, string> Tags);

    // Every observable instrument of the meter "Tgwatch" the factory made, read once, as a scrape would.
    private static List<Measured> Collect(IMeterFactory factory)
    {
        var measured = new List<Measured>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == RunMetrics.MeterName && instrument.Meter.Scope == factory) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measured.Add(new Measured(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString() ?? ""))));
        listener.Start();
        listener.RecordObservableInstruments();
        return measured;
    }
}
