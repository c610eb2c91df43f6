using Tgwatch.Secrets;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Sandbox.Api;
using Tgwatch.Sandbox.Bots;
using Tgwatch.Sandbox.Faults;
using Tgwatch.Sandbox.Logging;

namespace Tgwatch.Sandbox;

/// <summary>
/// A Bot API compatible server on 127.0.0.1 for tests, demos and users without Telegram credentials:
/// <c>/bot{token}/{method}</c> for getMe, getUpdates (real long polling), setWebhook, deleteWebhook,
/// getWebhookInfo, sendMessage and getChat, plus an admin API under <c>/sandbox/</c> to inject messages
/// and faults (see <see cref="SandboxAdmin"/>).
/// </summary>
public sealed class BotApiSandbox : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;
    private readonly AdminEndpoints _admin;
    private readonly SandboxRequestStats _counters;
    private readonly ILogger _logger;
    private SandboxAdmin? _adminClient;
    private int _disposed;

    private BotApiSandbox(WebApplication app, CancellationTokenSource stopping, AdminEndpoints admin, SandboxRequestStats counters, ILogger logger, IReadOnlyList<string> tokens)
    {
        _app = app;
        _stopping = stopping;
        _admin = admin;
        _counters = counters;
        _logger = logger;
        Tokens = tokens;
    }

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:45678/</c> (a Bot API base URL: methods are at <c>bot{token}/{method}</c> below it).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The tokens it answers to.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>The first token.</summary>
    public string Token => Tokens[0];

    /// <summary>A client of the admin API of this sandbox (disposed with it).</summary>
    public SandboxAdmin Admin => _adminClient ??= new SandboxAdmin(BaseUrl);

    /// <summary>The URL of a Bot API method for <paramref name="token"/> (the first token when null).</summary>
    public Uri MethodUrl(string method, string? token = null) => new($"{BaseUrl}bot{token ?? Token}/{method}");

    /// <summary>The counters, read in process (the same as <c>GET /sandbox/stats</c>).</summary>
    public SandboxStats Stats() => _admin.Stats();

    /// <summary>Starts listening on 127.0.0.1 (throws <see cref="ArgumentException"/> for bad options, <see cref="IOException"/> when the port is taken).</summary>
    public static async Task<BotApiSandbox> StartAsync(SandboxOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        IReadOnlyList<string> tokens = options.Tokens.Count > 0 ? [.. options.Tokens] : [BotToken.Generate()];
        var loggerFactory = new RedactingLoggerFactory(options.LoggerFactory ?? NullLoggerFactory.Instance, tokens);
        var logger = loggerFactory.CreateLogger("Tgwatch.Sandbox");

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = typeof(BotApiSandbox).Assembly.GetName().Name });
        builder.Services.AddSingleton<ILoggerFactory>(loggerFactory);
        builder.Services.AddRoutingCore();
        builder.Services.Configure<RouteOptions>(routes => routes.SetParameterPolicy<BotSegmentConstraint>(BotSegmentConstraint.Name));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, options.Port);
        });
        var app = builder.Build();

        var stopping = new CancellationTokenSource();
        var bots = tokens.Select(t => new BotState(t, options.TimeProvider, options.FirstUpdateId)).ToList();
        var counters = new SandboxRequestStats();
        var faults = new FaultPlan(options.TimeProvider);
        var admin = new AdminEndpoints(bots, faults, counters, logger);
        var endpoint = new BotEndpoint(bots.ToDictionary(b => b.Token, StringComparer.Ordinal), faults, counters, logger, stopping.Token);
        var files = new FileEndpoint(bots.ToDictionary(b => b.Token, StringComparer.Ordinal), faults, counters, logger, stopping.Token);

        app.UseRouting();
        app.MapMethods($"/{{bot:{BotSegmentConstraint.Name}}}/{{method}}", [HttpMethods.Get, HttpMethods.Post],
            (HttpContext context, string bot, string method) => endpoint.HandleAsync(context, BotSegmentConstraint.Token(bot), method));
        app.MapGet($"/file/{{bot:{BotSegmentConstraint.Name}}}/{{**path}}",
            (HttpContext context, string bot, string path) => files.HandleAsync(context, BotSegmentConstraint.Token(bot), path));
        admin.Map(app);
        app.MapFallback(async context =>
        {
            // Neither API's path: answered as the Bot API answers an unknown method, and counted as one.
            counters.Request("unknown");
            var notFound = BotResponse.NotFound;
            context.Response.StatusCode = notFound.StatusCode;
            context.Response.ContentType = notFound.ContentType;
            await context.Response.Body.WriteAsync(notFound.Body, context.RequestAborted).ConfigureAwait(false);
        });

        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            stopping.Dispose();
            throw;
        }
        var sandbox = new BotApiSandbox(app, stopping, admin, counters, logger, tokens);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        sandbox.BaseUrl = new Uri($"http://127.0.0.1:{new Uri(address).Port}/");
        Log.Started(logger, sandbox.BaseUrl, tokens.Count);
        return sandbox;
    }

    /// <summary>Stops listening: long polls and stalled requests end with their connections closed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try { await _app.StopAsync(grace.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        await _app.DisposeAsync().ConfigureAwait(false);
        _adminClient?.Dispose();
        _stopping.Dispose();
        Log.Stopped(_logger, _counters.Requests + _counters.AdminRequests, _counters.Faults);
    }
}
