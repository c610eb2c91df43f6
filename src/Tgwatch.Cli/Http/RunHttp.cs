using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using Tgwatch.Cli.Http.Page;
using Tgwatch.Cli.Run;

namespace Tgwatch.Cli.Http;

/// <summary>
/// The run's HTTP endpoint (<c>--http</c>, <c>Http:Listen</c>), on Kestrel in the run's own host:
/// <list type="bullet">
/// <item><c>/</c>: the status page (<see cref="StatusPage"/>), the figures of <c>/api/status</c> for a person.</item>
/// <item><c>/metrics</c>: Prometheus text, or OpenMetrics when the <c>Accept</c> header asks (OpenTelemetry's exporter).</item>
/// <item><c>/healthz</c>: 200 <c>ok</c> while the run's loops make progress (a Telegram outage is no illness); 503 naming a
/// loop busy without a beat for longer than <see cref="StuckAfter"/>.</item>
/// <item><c>/readyz</c>: 200 <c>ready</c> while the link is up and no sink fails; 503 with the reasons as JSON.</item>
/// <item><c>/api/status</c>: the live figures as JSON (<see cref="RunStatusJson"/>).</item>
/// </list>
/// With <c>Http:Token</c> every path but <c>/healthz</c> asks for <c>Authorization: Bearer TOKEN</c> (401 without it), or the
/// cookie a browser gets for giving the token to the page (<see cref="HttpToken"/>).
/// </summary>
internal static class RunHttp
{
    /// <summary>The paths served, as the start line says them.</summary>
    public const string Paths = "/, /metrics, /healthz, /readyz, /api/status";

    /// <summary>
    /// How long a loop may be busy without a beat before <c>/healthz</c> calls it stuck: longer than a sink write or a commit
    /// takes between two retries (each waits at most <c>Pipeline:MaxBackoff</c>), so a sink that is down is a failing sink
    /// (<c>/readyz</c>), not a hung process; and longer than a Bot API request may take (its long poll and margin).
    /// </summary>
    public static TimeSpan StuckAfter(RunSettings settings) =>
        TimeSpan.FromMinutes(2) + 2 * settings.Pipeline.MaxBackoff + TimeSpan.FromSeconds(settings.BotApi.PollTimeoutSeconds + settings.BotApi.HttpMarginSeconds);

    /// <summary>A host builder with Kestrel on the address of <c>Http:Listen</c> and the metrics pipeline.</summary>
    public static WebApplicationBuilder CreateBuilder(HttpListen listen)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(RunHttp).Assembly.GetName().Name });
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(listen.EndPoint);
        });
        // Only the meters this host's IMeterFactory made (MeterScope.Local): runs in one process never mix their series.
        builder.Services.AddMetrics(metrics => metrics.EnableMetrics(RunMetrics.MeterName, null, "OpenTelemetry", MeterScope.Local));
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter(o =>
            {
                o.ScopeInfoEnabled = false;
                o.TargetInfoEnabled = false;
                o.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
        builder.Services.AddSingleton<RunMetrics>();
        // On loopback, only requests addressed to loopback: a web page elsewhere cannot read the answers by pointing a name of
        // its own at 127.0.0.1 (DNS rebinding). Another address needs the token anyway.
        if (listen.IsLoopback)
            builder.Services.AddHostFiltering(o =>
            {
                o.AllowedHosts = ["localhost", "127.0.0.1", "[::1]"];
                o.IncludeFailureMessage = false;
            });
        return builder;
    }

    /// <summary>The endpoints, behind the token when there is one.</summary>
    public static void Map(WebApplication app, RunSettings settings)
    {
        var run = app.Services.GetRequiredService<LiveRun>();
        // Made now, so the first scrape has every instrument.
        _ = app.Services.GetRequiredService<RunMetrics>();
        var token = string.IsNullOrEmpty(settings.Http.Token) ? null : new HttpToken(settings.Http.Token);
        var stuckAfter = StuckAfter(settings);
        if (settings.HttpListen is { IsLoopback: true }) app.UseHostFiltering();
        if (token is not null) app.Use((context, next) => GuardAsync(context, next, token));
        // The answers that show the store's figures read them first (at most every 2 s, waiting 1 s at most: StoreFigures).
        app.Use(async (context, next) =>
        {
            if (run.Current is { } opened && !context.Request.Path.StartsWithSegments("/healthz", StringComparison.Ordinal)
                && !context.Request.Path.StartsWithSegments("/readyz", StringComparison.Ordinal))
                await opened.Store.FreshAsync(context.RequestAborted).ConfigureAwait(false);
            await next(context).ConfigureAwait(false);
        });
        app.UseRouting();
        app.MapGet("/", (HttpContext context) =>
        {
            using var status = JsonDocument.Parse(Utf8(json => RunStatusJson.Write(json, run)).WrittenMemory);
            return Html(context, StatusCodes.Status200OK, StatusPage.Html(status.RootElement, run.Time.GetUtcNow()));
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/healthz", (HttpContext context) =>
        {
            var stuck = run.Heartbeat.Stuck(stuckAfter);
            return stuck.Count == 0
                ? Text(context, StatusCodes.Status200OK, "ok\n")
                : Text(context, StatusCodes.Status503ServiceUnavailable, $"stuck: {string.Join(", ", stuck)} (no progress for over {Duration.Format(stuckAfter)})\n");
        });
        app.MapGet("/readyz", (HttpContext context) =>
        {
            var reasons = RunReadiness.NotReady(run);
            if (reasons.Count == 0) return Text(context, StatusCodes.Status200OK, "ready\n");
            return Json(context, StatusCodes.Status503ServiceUnavailable, json =>
            {
                json.WriteStartObject();
                json.WriteBoolean("ready", false);
                json.WriteStartArray("reasons");
                foreach (var reason in reasons) json.WriteStringValue(reason);
                json.WriteEndArray();
                json.WriteEndObject();
            });
        });
        app.MapGet("/api/status", (HttpContext context) => Json(context, StatusCodes.Status200OK, json => RunStatusJson.Write(json, run)));
    }

    /// <summary>
    /// Lets through a request that carries the token (and any to <c>/healthz</c>). The page at <c>/</c> takes the token
    /// itself (POST from its prompt, or <c>?token=</c>): the browser gets its cookie and is sent to <c>/</c>; without it the
    /// page is the prompt. Elsewhere the answer is 401.
    /// </summary>
    private static async Task GuardAsync(HttpContext context, RequestDelegate next, HttpToken token)
    {
        var request = context.Request;
        var page = request.Path.Equals("/", StringComparison.Ordinal);
        var post = HttpMethods.IsPost(request.Method);
        if (page && (post || request.Query.ContainsKey("token")))
        {
            var given = post ? (request.HasFormContentType ? (await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false))["token"].ToString() : null)
                : request.Query["token"].ToString();
            if (token.Is(given))
            {
                token.SignIn(context.Response);
                context.Response.StatusCode = StatusCodes.Status303SeeOther;
                context.Response.Headers.CacheControl = "no-store";
                context.Response.Headers.Location = "./";
                return;
            }
            await Unauthorized(context, StatusPage.TokenPrompt(wrong: true)).ConfigureAwait(false);
            return;
        }
        if (request.Path.Equals("/healthz", StringComparison.Ordinal) || token.Authorizes(request))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        if (page)
        {
            await Unauthorized(context, StatusPage.TokenPrompt(wrong: false)).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await context.Response.WriteAsync("unauthorized: send Authorization: Bearer TOKEN (Http:Token)\n", context.RequestAborted).ConfigureAwait(false);
    }

    private static Task Unauthorized(HttpContext context, string prompt)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Html(context, StatusCodes.Status401Unauthorized, prompt);
    }

    private static Task Html(HttpContext context, int status, string html)
    {
        context.Response.StatusCode = status;
        StatusPage.SetHeaders(context.Response);
        return context.Response.WriteAsync(html, context.RequestAborted);
    }

    private static Task Text(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static async Task Json(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        var buffer = Utf8(write);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        // Live figures: never kept by a cache on the way.
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }

    private static ArrayBufferWriter<byte> Utf8(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(json);
        return buffer;
    }
}
