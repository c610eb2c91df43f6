using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Tgwatch.BotApi;
using Tgwatch.Cli.Handlers;
using Tgwatch.Cli.Hosting;
using Tgwatch.Cli.Http;
using Tgwatch.Cli.Login;
using Tgwatch.Connectors;
using Tgwatch.Formatting;
using Tgwatch.Leases;
using Tgwatch.Media;
using Tgwatch.Pipeline;
using Tgwatch.Pipeline.Filters;
using Tgwatch.Storage;
using Tgwatch.Tdlib.Connector;

namespace Tgwatch.Cli.Run;

/// <summary>The pipeline as a hosted service: opens state and sinks, runs until the host stops, records the exit code.</summary>
internal sealed class RunService(RunSettings settings, RunTdlib tdlibSession, ILoggerFactory logs, IHostApplicationLifetime lifetime, LiveRun live, IServiceProvider services) : BackgroundService
{
    private readonly ILogger _logger = logs.CreateLogger("Tgwatch.Run");

    /// <summary>Runs the service in a host until SIGINT/SIGTERM (drain and commit) or a failure; the exit code.</summary>
    public static async Task<int> HostAsync(RunSettings settings, CliLogging logging, RunTdlib tdlib)
    {
        // With --http, the run's host is a web host: Kestrel serves the endpoint next to the run (RunHttp).
        IHostApplicationBuilder builder = settings.HttpListen is { } listen
            ? RunHttp.CreateBuilder(listen)
            : Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<ILoggerFactory>(builder is WebApplicationBuilder ? new FrameworkLogs(logging.Factory) : logging.Factory);
        builder.Services.Configure<HostOptions>(o =>
        {
            // The handlers are stopped after the pipeline (together): the host waits for that too, or a child left behind outlives the run.
            o.ShutdownTimeout = settings.Pipeline.DrainTimeout * 2 + TimeSpan.FromSeconds(5)
                + (settings.HandlerSpecs.Count > 0 ? settings.HandlerSpecs.Max(h => h.Exec.StopTime) : TimeSpan.Zero);
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(tdlib);
        builder.Services.AddSingleton(new LiveRun(TimeProvider.System, logging.Noise));
        builder.Services.AddSingleton<RunService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RunService>());
        using var host = Build(builder, settings);
        var service = host.Services.GetRequiredService<RunService>();
        try
        {
            await host.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e) when (settings.HttpListen is { } refused)
        {
            // Kestrel could not listen (the port is taken, or the address is not this machine's): nothing else has started.
            RunLog.HttpCannotListen(logging.Factory.CreateLogger("Tgwatch.Http"), refused.Url(refused.EndPoint.Port), TextLines.FirstLine(e.Message));
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            return service.ExitCode;
        }
        if (settings.HttpListen is { } served)
            RunLog.HttpServing(logging.Factory.CreateLogger("Tgwatch.Http"), RunHttp.Paths, served.Url(BoundPort(host, served)));
        await host.WaitForShutdownAsync().ConfigureAwait(false);
        return service.ExitCode;
    }

    private static IHost Build(IHostApplicationBuilder builder, RunSettings settings)
    {
        if (builder is not WebApplicationBuilder web) return ((HostApplicationBuilder)builder).Build();
        var app = web.Build();
        RunHttp.Map(app, settings);
        return app;
    }

    /// <summary>The port Kestrel listens on (the one it took, for port 0).</summary>
    private static int BoundPort(IHost host, HttpListen listen)
    {
        var addresses = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        return addresses?.Select(a => new Uri(a).Port).FirstOrDefault() ?? listen.EndPoint.Port;
    }

    /// <summary>When the bot's checkpoint last moved (an earlier run's last commit), if it has one.</summary>
    private static DateTimeOffset? LastBotApiCommit(StoreStatus status, string token)
    {
        var account = $"bot{Tgwatch.Secrets.BotToken.IdOf(token)}";
        return status.Checkpoints.FirstOrDefault(c => c.Account == account && c.Connector == BotApiConnector.ConnectorName && c.Stream == BotApiConnector.StreamName)?.UpdatedAt;
    }

    /// <summary>How long a TDLib download may go without a byte before it is given up for now (and retried from what TDLib has).</summary>
    internal static readonly TimeSpan TdlibMediaStall = TimeSpan.FromMinutes(1);

    public int ExitCode { get; private set; } = ExitCodes.Ok;

    /// <summary>
    /// Says, one line each, which sinks of this run the state store has no record of while it knows others (a sink added to a
    /// running set-up), and how to give it what the others have.
    /// </summary>
    private void SayNewSinks(StateAndSinks opened, StoreStatus status)
    {
        if (status.Processed == 0 || status.Sinks.Count == 0) return;
        var jsonl = status.Sinks.FirstOrDefault(s => s.StartsWith("jsonl:", StringComparison.Ordinal));
        foreach (var sink in opened.Sinks.Select(s => s.Name).Where(s => !status.Sinks.Contains(s, StringComparer.Ordinal)))
        {
            // A webhook is named without its path and query: the user gives its address again.
            var spec = OutboxNames.IsWebhook(sink) ? "webhook:URL" : sink;
            var hint = jsonl is not null && jsonl != sink
                ? $"tgwatch import {jsonl["jsonl:".Length..]} --sink {spec}"
                : $"tgwatch import FILE --sink {spec}, FILE a JSONL archive of them";
            RunLog.NewSink(_logger, sink, status.Processed, hint);
        }
    }

    /// <summary>Says, one line each, which outboxes of webhooks this run does not send to still hold records, and how to move or drop them.</summary>
    private async Task OldOutboxesAsync(StateAndSinks opened, CancellationToken ct)
    {
        var configured = opened.Sinks.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var webhooks = opened.Sinks.Select(s => s.Name).Where(OutboxNames.IsWebhook).ToList();
        var to = webhooks.Count == 1 ? $"'{webhooks[0]}'" : "webhook:NEW-URL";
        foreach (var (sink, count) in await opened.Store.Outbox.WaitingAsync(ct).ConfigureAwait(false))
            if (!configured.Contains(sink) && OutboxNames.IsWebhook(sink)) RunLog.OldOutbox(_logger, count, sink, to);
    }

    /// <summary>systemd's STATUS= line: the link, the messages written and the lag of the latest (<c>ready; 1,234 messages written, lag 0.4s</c>).</summary>
    internal static string SystemdStatus(MessagePipeline pipeline, IConnector connector, RecentLags? lags)
    {
        var link = connector.Status;
        var state = link switch
        {
            { State: ConnectionState.Ready } => "ready",
            { State: ConnectionState.Connecting, Reason: "starting" } => "connecting",
            { State: ConnectionState.Disconnected } => "stopping",
            _ => LinkLine.DownSince(link),
        };
        var lag = lags?.Now() is { } l ? $", lag {Duration.Format(TimeSpan.FromSeconds(l.P50))}" : "";
        var written = pipeline.Stats.Written;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{state}; {written:N0} {(written == 1 ? "message" : "messages")} written{lag}");
    }

    /// <summary>The heartbeat line of the run, unless it is off.</summary>
    private HeartbeatLine? Heartbeat(LiveRun.Opened run)
    {
        if (settings.HeartbeatEvery <= TimeSpan.Zero) return null;
        return new HeartbeatLine(settings.HeartbeatEvery, run.Pipeline.Timings!.Lag, run.Pipeline.Stats.Sinks.Count,
            () => new HeartbeatFigures(run.Pipeline.Stats.Written, run.Connector.Status, run.DeadLetters),
            logs.CreateLogger("Tgwatch.Run"), TimeProvider.System);
    }


    /// <summary>Waits until every hosted service of the host has started (or the host stops).</summary>
    private async Task StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
            await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
    }

    /// <summary>Takes the account's lease in the shared store, waiting as standby while another runner holds it; TDLib's updates are dropped meanwhile.</summary>
    private async Task<ActiveLease> TakeLeaseAsync(IStateStore store, OpenedTdlibSession? tdlib, CancellationToken ct)
    {
        if (store is not ILeaseStore leases) throw new InvalidOperationException("a shared state store without leases");
        var account = tdlib is not null ? tdlib.Account! : $"bot{Tgwatch.Secrets.BotToken.IdOf(settings.BotApi.Token!)}";
        var name = $"{(tdlib is not null ? TdlibConnector.ConnectorName : BotApiConnector.ConnectorName)}/{account}";
        var runner = new RunnerLease(leases, name, RunnerInfo.Current(TimeProvider.System), settings.LeaseTime ?? RunSettings.DefaultLease, logs.CreateLogger("Tgwatch.Lease"));
        using var systemd = SystemdStandby.Start(new SystemdNotifier(), Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
            Environment.GetEnvironmentVariable("WATCHDOG_PID"), runner.Every + RunHttp.StuckAfter(settings), TimeProvider.System);
        runner.Waiting = systemd is null ? null : systemd.Waiting;
        tdlib?.DiscardUpdates();
        try
        {
            return await runner.AcquireAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Said here, not from a callback on the token: the wait it cancels can end this method inline, within the
            // cancellation, before a callback registered earlier has had its turn.
            systemd?.Stopping();
            throw;
        }
        finally
        {
            if (tdlib is not null) await tdlib.StopDiscardingAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Receives and writes until stopped: the connector, the handlers and the pipeline over the open store and sinks.</summary>
    /// <param name="opened">The state store and sinks.</param>
    /// <param name="tdlib">The TDLib session (null for the Bot API).</param>
    /// <param name="tdlibPoster">What posts alerts through TDLib.</param>
    /// <param name="stoppingToken">Ends the active run: the process stopping, or the lease lost.</param>
    /// <param name="processStopping">The process stopping (systemd is told so; not for a lost lease, after which the run waits as standby).</param>
    private async Task RunActiveAsync(StateAndSinks opened, OpenedTdlibSession? tdlib, TdlibChatPoster? tdlibPoster, CancellationToken stoppingToken, CancellationToken processStopping)
    {
        // Read once at start: the bot's last commit and the sinks the store knows.
        var status = await opened.Store.GetStatusAsync(stoppingToken).ConfigureAwait(false);
        await using IConnector connector = settings.Connector == "nats"
            ? new Tgwatch.Nats.Consumer.JetStreamConnector(settings.Nats.ConnectorOptions(), logs.CreateLogger("Tgwatch.Nats"))
            : tdlib is not null
            ? TdlibRun.Connector(tdlib, settings, logs, live.Heartbeat, tdlibPoster)
            : new BotApiConnector(new BotApiOptions
            {
                LastCommittedAt = LastBotApiCommit(status, settings.BotApi.Token!),
                Token = settings.BotApi.Token!,
                ApiUrl = settings.BotApi.ApiUrl,
                PollTimeout = TimeSpan.FromSeconds(settings.BotApi.PollTimeoutSeconds),
                MaxBackoff = settings.BotApi.MaxBackoff,
                HttpMargin = TimeSpan.FromSeconds(settings.BotApi.HttpMarginSeconds),
                JournalPath = DataPaths.ReceivedJournal(DataPaths.StatePath(settings.State, settings.DataDir), settings.BotApi.Token!),
            }, logs.CreateLogger("Tgwatch.BotApi")) { Heartbeat = live.Heartbeat };
        // TDLib watches the chats itself (and catches up their history); the Bot API gets every chat, filtered here.
        IReadOnlyList<IMessageFilter> filters = settings.Chats.Count > 0 && tdlib is null ? [new ChatFilter(settings.Chats)] : [];
        await OldOutboxesAsync(opened, stoppingToken).ConfigureAwait(false);
        SayNewSinks(opened, status);
        // The timings go on the meter the metrics endpoint serves (the host's factory gives the same one), or on one of their own.
        var meters = services.GetService<IMeterFactory>();
        using var ownMeter = meters is null ? new Meter(RunMetrics.MeterName) : null;
        var meter = ownMeter ?? meters!.Create(RunMetrics.MeterName);
        await using var handlers = await RunHandlers.StartAsync(settings, logs, live.Noise, stoppingToken).ConfigureAwait(false);
        using var botMedia = settings.MediaOptions is not null && tdlib is null && settings.Connector == "botapi"
            ? new BotApiMediaSource(new BotApiOptions { Token = settings.BotApi.Token!, ApiUrl = settings.BotApi.ApiUrl })
            : null;
        IMediaSource? mediaSource = settings.MediaOptions is null ? null
            : (IMediaSource?)botMedia ?? (connector is TdlibConnector td ? new TdlibMediaSource(tdlib!.Session, td.Files, TdlibMediaStall) : null);
        var pipeline = new MessagePipeline(connector, opened.Sinks, opened.Store, settings.Pipeline, filters, handlers.All, logs.CreateLogger("Tgwatch.Pipeline"))
        {
            Media = mediaSource is null ? null : new MediaDownloads(mediaSource, settings.MediaOptions!),
            Heartbeat = live.Heartbeat,
            Timings = new PipelineTimings(meter),
        };
        var run = live.Open(connector, pipeline, opened.SinksOf<Tgwatch.Sinks.Outbox.IOutboxSink>(), opened.Store);
        try
        {
            using var heartbeat = Heartbeat(run);
            using var systemd = SystemdNotify.Start(new SystemdNotifier(), connector, live.Heartbeat, RunHttp.StuckAfter(settings),
                () => SystemdStatus(pipeline, connector, run.Lags), Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
                Environment.GetEnvironmentVariable("WATCHDOG_PID"), TimeProvider.System);
            using var stopping = processStopping.Register(() => systemd?.Stopping());
            await pipeline.RunAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            live.Close();
        }
        var s = pipeline.Stats;
        // An outbox sink's sender (a webhook, an alert chat) dead-letters what its target refuses after the pipeline handed the records over, up to its
        // last drain: the sinks are closed first so those count too.
        await opened.CloseSinksAsync().ConfigureAwait(false);
        RunLog.Stopped(_logger, s.Received, s.Written, s.Duplicates, run.DeadLetters);
        if (connector is TdlibConnector t)
        {
            var c = t.Stats;
            _logger.LogInformation("TDLib: {Updates} updates read, {History} messages caught up from history in {Calls} calls, {Overflows} live updates left to history, {RateLimited} rate limits waited out, {Malformed} malformed; {BelowLevel} of its log lines below the log level (--log-level debug shows them)",
                c.Updates, c.HistoryMessages, c.HistoryCalls, c.LiveOverflows, c.RateLimited, c.Malformed, tdlib!.Host.LogLinesBelowLevel);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tdlib = tdlibSession.Session;
        try
        {
            // Nothing is opened before the host has started: with --http, Kestrel may still fail to listen (one line, exit 2,
            // no sink touched), and the metrics' provider and exporter are listening before the first batch is timed.
            await StartedAsync(stoppingToken).ConfigureAwait(false);
            // Alerts (telegram:CHAT) go out through the run's account: its bot, or its TDLib client (whose update loop, the
            // connector's, tells the poster how each of its messages fared and which records are its own alerts).
            var alerting = settings.SinkSpecs.Any(s => s.IsTelegram);
            using var botPoster = alerting && tdlib is null ? new BotApiChatPoster(new BotApiOptions { Token = settings.BotApi.Token!, ApiUrl = settings.BotApi.ApiUrl }) : null;
            var tdlibPoster = alerting && tdlib is not null ? new TdlibChatPoster(tdlib.Session, settings.Tdlib.Timeout) : null;
            IChatPoster? poster = (IChatPoster?)botPoster ?? tdlibPoster;
            var statePath = DataPaths.StatePath(settings.State, settings.DataDir);
            // A state store in PostgreSQL may be shared by runners of one account on several machines: one is active, holding
            // the account's lease, the others wait as standby (their sinks not open, nothing received) and take over when it
            // stops renewing it. A runner that lost its lease goes back to waiting.
            var shared = settings.Connector != "nats" && PostgresState.Is(statePath);
            await ActiveStandbyLoop.RunAsync(
                (beforeSinks, ct) => StateAndSinks.OpenAsync(statePath, settings.SinkSpecs, logs, settings.WebhookSecret, ct, settings.WebhookRequestTimeout, poster, beforeSinks: beforeSinks),
                shared ? (store, ct) => TakeLeaseAsync(store, tdlib, ct) : null,
                (opened, active) => RunActiveAsync(opened, tdlib, tdlibPoster, active, stoppingToken),
                stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is BotTokenRejectedException or TdlibAuthorizationLostException)
        {
            _logger.LogCritical("{Reason}", e.Message);
            ExitCode = ExitCodes.Auth;
        }
        catch (TdlibChatsNotFoundException e)
        {
            _logger.LogCritical("{Reason}", e.Message);
            ExitCode = ExitCodes.Usage;
        }
        catch (CliException e)
        {
            _logger.LogCritical("{Reason}", e.Message);
            ExitCode = e.ExitCode;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogCritical(e, "Stopped by an unexpected failure");
            ExitCode = ExitCodes.Unexpected;
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}

/// <summary>The opened TDLib session of a run with <c>--connector tdlib</c> (null for the Bot API); the command closes it after the host.</summary>
internal sealed record RunTdlib(OpenedTdlibSession? Session);
