using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tgwatch.BotApi;
using Tgwatch.Cli.Hosting;
using Tgwatch.Connectors;
using Tgwatch.Noise;
using Tgwatch.Pipeline;
using Tgwatch.Storage;
using Tgwatch.Pipeline.Filters;
using Tgwatch.Cli.Login;
using Tgwatch.Tdlib.Connector;

namespace Tgwatch.Cli.Run;

/// <summary><c>tgwatch run</c>: the main job. Receives messages and hands them to the sinks until stopped.</summary>
internal static partial class RunCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var config = new Option<string?>("--config") { Description = "A JSON configuration file (default: ./tgwatch.json when it exists)" };
        var connector = new Option<string?>("--connector") { Description = "botapi or tdlib (default botapi; tdlib needs tgwatch login first)" };
        var tdlib = new Login.TdlibOptions();
        var token = new Option<string?>("--bot-token") { Description = "The bot token (or env TGWATCH__BOTAPI__TOKEN)" };
        var url = new Option<string?>("--bot-api-url") { Description = "A Bot API compatible server (default https://api.telegram.org)" };
        var chats = new Option<string[]>("--chat") { Description = "A chat to watch: id or @username (repeatable; none = all)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var noiseFirst = Commands.FirstRecordOption.Create("--noise-first", "What becomes of the first record of each burst of noise in the log (or Noise:First, env TGWATCH__NOISE__FIRST)");
        var sinks = new Option<string[]>("--sink") { Description = "Where messages go: console, jsonl:PATH, sqlite:PATH, webhook:URL (repeatable; default console)", Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        var command = new Command("run", "Receive messages from the chosen chats and hand them to the sinks, until stopped (SIGINT/SIGTERM drain and commit)")
        {
            config, connector, token, url, chats, sinks, common.State, common.DataDir, common.WebhookSecret, common.WebhookTimeout, common.LogLevel, common.LogFormat, noiseFirst,
        };
        foreach (var option in tdlib.All) command.Options.Add(option);
        command.SetAction(async (parse, _) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            RunSettings settings;
            try
            {
                settings = Load(parse.GetValue(config), new Dictionary<string, string?>(tdlib.Flags(parse))
                {
                    ["Connector"] = parse.GetValue(connector),
                    ["BotApi:Token"] = parse.GetValue(token),
                    ["BotApi:Url"] = parse.GetValue(url),
                    ["State"] = parse.GetValue(common.State),
                    ["DataDir"] = parse.GetValue(common.DataDir),
                    ["WebhookSecret"] = parse.GetValue(common.WebhookSecret) ?? Environment.GetEnvironmentVariable("TGWATCH_WEBHOOK_SECRET"),
                    ["WebhookTimeout"] = parse.GetValue(common.WebhookTimeout),
                    ["Noise:First"] = parse.GetValue(noiseFirst)?.Name(),
                }, parse.GetValue(chats), parse.GetValue(sinks));
            }
            catch (CliException e)
            {
                await stderr.WriteLineAsync(e.Message.EachLinePrefixed("tgwatch run: ")).ConfigureAwait(false);
                return e.ExitCode;
            }
            using var logging = common.Logging(parse, stderr, settings.NoiseOptions);
            CliLog.RenamedSettings(logging.Factory.CreateLogger("Tgwatch.Settings"), settings.Renamed);
            // SIGHUP (logrotate's postrotate) never ends a run, not even before the sinks are open (they reopen on it).
            using var hangup = StateAndSinks.IgnoreHangup();
            // The TDLib session first: without a login nothing else is opened (exit code 3, one line).
            OpenedTdlibSession? session = null;
            if (settings.Connector == "tdlib")
            {
                try
                {
                    session = await TdlibRun.OpenAsync(settings, logging.Factory, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (TdlibSessions.Describe(e) is { } failure)
                {
                    await stderr.WriteLineAsync($"tgwatch run: {Secrets.SecretRedactor.Redact(failure.Line)}").ConfigureAwait(false);
                    return failure.ExitCode;
                }
            }
            try
            {
                return await RunAsync(settings, logging, new RunTdlib(session)).ConfigureAwait(false);
            }
            finally
            {
                if (session is not null) await session.DisposeAsync().ConfigureAwait(false);
            }
        });
        return command;
    }

    /// <summary>Reads and checks the settings; a problem is one line naming the key (exit code 2).</summary>
    internal static RunSettings Load(string? configFile, IDictionary<string, string?> flags, string[]? chats, string[]? sinks)
    {
        var settings = Bind(configFile, flags, chats, sinks);
        Validate(settings);
        return settings;
    }

    /// <summary>Reads the settings without checking what only <c>run</c> needs; a file, key or value that cannot be read is one line (exit code 2).</summary>
    internal static RunSettings Bind(string? configFile, IDictionary<string, string?> flags, string[]? chats = null, string[]? sinks = null)
    {
        var builder = new ConfigurationBuilder();
        var file = configFile ?? (File.Exists("tgwatch.json") ? "tgwatch.json" : null);
        if (file is not null)
        {
            if (!File.Exists(file)) throw new CliException(ExitCodes.Usage, $"configuration file {file} does not exist");
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }
        builder.AddEnvironmentVariables("TGWATCH__");
        var overrides = flags.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value);
        if (chats is { Length: > 0 }) for (var i = 0; i < chats.Length; i++) overrides[$"Chats:{i}"] = chats[i];
        if (sinks is { Length: > 0 }) for (var i = 0; i < sinks.Length; i++) overrides[$"Sinks:{i}"] = sinks[i];
        builder.AddInMemoryCollection(overrides);
        var settings = new RunSettings();
        try
        {
            var configuration = builder.Build();
            SettingsCheck.Check(configuration, file);
            // Flags replace a list from the file as a whole, not item by item.
            RenamedSettings.Apply(configuration, file, settings.Renamed).Bind(settings, o => o.ErrorOnUnknownConfiguration = true);
            if (chats is { Length: > 0 }) settings.Chats = [.. chats];
            if (sinks is { Length: > 0 }) settings.Sinks = [.. sinks];
        }
        catch (InvalidDataException e)
        {
            // Where the file stops being JSON, without the line's text (it may hold a secret).
            var where = FindInner<System.Text.Json.JsonException>(e) is { LineNumber: { } line } json
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (line {line + 1}, position {json.BytePositionInLine + 1})")
                : "";
            throw new CliException(ExitCodes.Usage, $"{file}: not valid JSON{where}");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // SettingsCheck has said what it knows; the binder's own words would repeat the value, which may be a secret.
            var key = BinderKey().Match(e.Message);
            throw new CliException(ExitCodes.Usage, key.Success ? $"configuration: {key.Groups[1].Value}: cannot be read as a setting" : "configuration: a setting cannot be read");
        }
        return settings;
    }

    private static void Validate(RunSettings s)
    {
        if (s.Connector is not ("botapi" or "tdlib"))
            throw new CliException(ExitCodes.Usage, $"Connector: '{s.Connector}' is not one of botapi, tdlib");
        if (s.Connector == "tdlib")
        {
            s.Tdlib.Validate();
            foreach (var chat in s.Chats)
                if (!ChatSpec.TryParse(chat, out _, out var error)) throw new CliException(ExitCodes.Usage, $"Chats: {error}");
        }
        else
        {
            if (string.IsNullOrEmpty(s.BotApi.Token))
                throw new CliException(ExitCodes.Usage, "no bot token: give --bot-token, set TGWATCH__BOTAPI__TOKEN, or BotApi.Token in tgwatch.json");
            if (!Secrets.BotToken.IsWellFormed(s.BotApi.Token))
                throw new CliException(ExitCodes.Usage, "BotApi:Token: expected the form 123456789:AA… as BotFather gives it");
            Secrets.SecretRedactor.Register(s.BotApi.Token);
        }
        Secrets.SecretRedactor.Register(s.WebhookSecret);
        var (timeout, timeoutError) = WebhookTimeouts.Parse(s.WebhookTimeout);
        if (timeoutError is not null) throw new CliException(ExitCodes.Usage, $"WebhookTimeout: {timeoutError}");
        s.WebhookRequestTimeout = timeout;
        if (s.Noise.First is { } first)
        {
            if (FirstRecords.Parse(first) is not { } firstRecord) throw new CliException(ExitCodes.Usage, $"Noise:First: expected {FirstRecords.Accepted}, not '{first}'");
            s.NoiseOptions = s.NoiseOptions with { First = firstRecord };
        }
        if (s.BotApi.Url is { } url && !(Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"))
            throw new CliException(ExitCodes.Usage, $"BotApi:Url: expected an http(s) address, not '{url}'");
        if (s.BotApi.PollTimeoutSeconds is < 0 or > 600) throw new CliException(ExitCodes.Usage, "BotApi:PollTimeoutSeconds: between 0 and 600");
        if (s.BotApi.MaxBackoff < TimeSpan.FromSeconds(1) || s.BotApi.MaxBackoff > TimeSpan.FromHours(1))
            throw new CliException(ExitCodes.Usage, "BotApi:MaxBackoff: between 00:00:01 and 01:00:00");
        if (s.BotApi.HttpMarginSeconds is < 1 or > 600) throw new CliException(ExitCodes.Usage, "BotApi:HttpMarginSeconds: between 1 and 600");
        if (s.Sinks.Count == 0) s.Sinks.Add("console");
        foreach (var sink in s.Sinks)
            if (!SinkSpec.TryParse(sink, out _, out var error)) throw new CliException(ExitCodes.Usage, $"Sinks: {error}");
        // Waits longer than a day would overflow a timer (or the host's shutdown time, twice the drain) and end the run.
        var p = s.Pipeline;
        foreach (var (name, value) in new[] { ("HandlerTimeout", p.HandlerTimeout), ("MinBackoff", p.MinBackoff), ("MaxBackoff", p.MaxBackoff), ("ReplyDeadline", p.ReplyDeadline),
            ("ReplyRetryDelay", p.ReplyRetryDelay), ("ReplyMaxDelay", p.ReplyMaxDelay), ("DrainTimeout", p.DrainTimeout), ("LinkReportInterval", p.LinkReportInterval), ("OrderWindow", p.OrderWindow) })
            if (value > TimeSpan.FromDays(1)) throw new CliException(ExitCodes.Usage, $"Pipeline:{name}: at most a day (1.00:00:00)");
        if (p.ProcessedRetention > TimeSpan.FromDays(3650)) throw new CliException(ExitCodes.Usage, "Pipeline:ProcessedRetention: at most ten years (3650.00:00:00)");
        try
        {
            _ = new ChatFilter(s.Chats);
            s.Pipeline.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(ExitCodes.Usage, e.Message.FirstLine());
        }
    }

    private static T? FindInner<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException) if (e is T found) return found;
        return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" at '([^']*)'")]
    private static partial System.Text.RegularExpressions.Regex BinderKey();

    private static async Task<int> RunAsync(RunSettings settings, CliLogging logging, RunTdlib tdlib)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(logging.Factory);
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = settings.Pipeline.DrainTimeout * 2 + TimeSpan.FromSeconds(5);
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(tdlib);
        builder.Services.AddSingleton<RunService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RunService>());
        using var host = builder.Build();
        var service = host.Services.GetRequiredService<RunService>();
        try
        {
            await host.RunAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        return service.ExitCode;
    }
}

/// <summary>The pipeline as a hosted service: opens state and sinks, runs until the host stops, records the exit code.</summary>
internal sealed class RunService(RunSettings settings, RunTdlib tdlibSession, ILoggerFactory logs, IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly ILogger _logger = logs.CreateLogger("Tgwatch.Run");

    /// <summary>When the bot's checkpoint last moved (an earlier run's last commit), if it has one.</summary>
    private static DateTimeOffset? LastBotApiCommit(StoreStatus status, string token)
    {
        var account = $"bot{Tgwatch.Secrets.BotToken.IdOf(token)}";
        return status.Checkpoints.FirstOrDefault(c => c.Account == account && c.Connector == BotApiConnector.ConnectorName && c.Stream == BotApiConnector.StreamName)?.UpdatedAt;
    }

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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tdlib = tdlibSession.Session;
        try
        {
            var specs = settings.Sinks.Select(s => SinkSpec.TryParse(s, out var spec, out _) ? spec : throw new InvalidOperationException(s)).ToList();
            await using var opened = await StateAndSinks.OpenAsync(DataPaths.StatePath(settings.State, settings.DataDir), specs, logs, settings.WebhookSecret, stoppingToken, settings.WebhookRequestTimeout).ConfigureAwait(false);
            // Read once at start: the bot's last commit and the sinks the store knows.
            var status = await opened.Store.GetStatusAsync(stoppingToken).ConfigureAwait(false);
            await using IConnector connector = tdlib is not null
                ? TdlibRun.Connector(tdlib, settings, logs)
                : new BotApiConnector(new BotApiOptions
                {
                    LastCommittedAt = LastBotApiCommit(status, settings.BotApi.Token!),
                    Token = settings.BotApi.Token!,
                    ApiUrl = settings.BotApi.Url is { } url ? new Uri(url) : new Uri("https://api.telegram.org/"),
                    PollTimeout = TimeSpan.FromSeconds(settings.BotApi.PollTimeoutSeconds),
                    MaxBackoff = settings.BotApi.MaxBackoff,
                    HttpMargin = TimeSpan.FromSeconds(settings.BotApi.HttpMarginSeconds),
                }, logs.CreateLogger("Tgwatch.BotApi"));
            // TDLib watches the chats itself (and catches up their history); the Bot API gets every chat, filtered here.
            IReadOnlyList<IMessageFilter> filters = settings.Chats.Count > 0 && tdlib is null ? [new ChatFilter(settings.Chats)] : [];
            await OldOutboxesAsync(opened, stoppingToken).ConfigureAwait(false);
            SayNewSinks(opened, status);
            var pipeline = new MessagePipeline(connector, opened.Sinks, opened.Store, settings.Pipeline, filters, [], logs.CreateLogger("Tgwatch.Pipeline"));
            await pipeline.RunAsync(stoppingToken).ConfigureAwait(false);
            var s = pipeline.Stats;
            // A webhook's sender dead-letters what its endpoint refuses after the pipeline handed the records over, up to its
            // last drain: the sinks are closed first so those count too.
            await opened.CloseSinksAsync().ConfigureAwait(false);
            var webhookDeadLetters = opened.SinksOf<Tgwatch.Sinks.Webhook.WebhookSink>().Sum(w => w.Counters.DeadLettered);
            RunLog.Stopped(_logger, s.Received, s.Written, s.Duplicates, s.DeadLetters + webhookDeadLetters);
            if (connector is TdlibConnector t)
            {
                var c = t.Stats;
                _logger.LogInformation("TDLib: {Updates} updates read, {History} messages caught up from history in {Calls} calls, {Overflows} live updates left to history, {RateLimited} rate limits waited out, {Malformed} malformed; {BelowLevel} of its log lines below the log level (--log-level debug shows them)",
                    c.Updates, c.HistoryMessages, c.HistoryCalls, c.LiveOverflows, c.RateLimited, c.Malformed, tdlib!.Host.LogLinesBelowLevel);
            }
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
