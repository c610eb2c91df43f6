using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Cli.Http;
using Tgwatch.Cli.Run;

namespace Tgwatch.Bench;

/// <summary>
/// The run's HTTP endpoint in this process, made as <c>tgwatch run --http 127.0.0.1:0</c> makes it (<see cref="RunHttp"/>:
/// Kestrel, OpenTelemetry's MeterProvider with the runtime instrumentation and the Prometheus exporter, the observable
/// instruments of <see cref="RunMetrics"/> over a <see cref="LiveRun"/>), and a client that scrapes <c>/metrics</c> as
/// Prometheus does.
/// </summary>
internal sealed partial class MetricsEndpoint : IAsyncDisposable
{
    // What Prometheus 2.x sends: OpenMetrics first.
    private const string PrometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private readonly WebApplication _app;
    private readonly HttpClient _client;

    private MetricsEndpoint(WebApplication app, Uri metrics)
    {
        _app = app;
        _client = new HttpClient { BaseAddress = metrics };
        _client.DefaultRequestHeaders.Add("Accept", PrometheusAccept);
        Live = app.Services.GetRequiredService<LiveRun>();
        // The meter the run's timings go on, as RunService takes it: the host's factory gives the one RunMetrics is on.
        Meter = app.Services.GetRequiredService<IMeterFactory>().Create(RunMetrics.MeterName);
    }

    /// <summary>What <c>/metrics</c> serves of: the run's connector, pipeline and sinks once opened.</summary>
    public LiveRun Live { get; }

    /// <summary>The meter "Tgwatch" of the host's <see cref="IMeterFactory"/>, the one OpenTelemetry listens to.</summary>
    public Meter Meter { get; }

    /// <summary>Builds and starts the endpoint on a free loopback port.</summary>
    public static async Task<MetricsEndpoint> StartAsync()
    {
        var builder = RunHttp.CreateBuilder(new HttpListen(new IPEndPoint(IPAddress.Loopback, 0)));
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        builder.Services.AddSingleton(new LiveRun(TimeProvider.System));
        var app = builder.Build();
        RunHttp.Map(app, new RunSettings());
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MetricsEndpoint(app, new Uri(new Uri(address), "/metrics"));
    }

    /// <summary>One scrape of <c>/metrics</c>; the text served.</summary>
    public Task<string> ScrapeAsync(CancellationToken ct) => _client.GetStringAsync((Uri?)null, ct);

    /// <summary>Scrapes now and then every <paramref name="every"/> until <paramref name="ct"/> is cancelled; the number of scrapes.</summary>
    public async Task<int> ScrapeEveryAsync(TimeSpan every, CancellationToken ct)
    {
        var scrapes = 0;
        try
        {
            while (true)
            {
                await ScrapeAsync(ct).ConfigureAwait(false);
                scrapes++;
                await Task.Delay(every, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return scrapes;
        }
    }

    /// <summary>
    /// The value of the sample <paramref name="series"/> (name and labels as served; a series without labels by its name,
    /// which OpenMetrics serves with <c>{}</c>) in <paramref name="text"/>; NaN when absent.
    /// </summary>
    public static double Sample(string text, string series)
    {
        foreach (Match m in SampleLine().Matches(text))
            if (m.Groups["series"].Value.Replace("{}", "", StringComparison.Ordinal) == series) return double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        return double.NaN;
    }

    [GeneratedRegex(@"^(?<series>[a-z_]+(\{[^}]*\})?) (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex SampleLine();

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
