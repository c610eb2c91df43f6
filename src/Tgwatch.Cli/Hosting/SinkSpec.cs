using Microsoft.Extensions.Logging;
using Tgwatch.Connectors;
using Tgwatch.Nats;
using Tgwatch.Nats.Sink;
using Tgwatch.Pipeline;
using Tgwatch.Postgres.Database;
using Tgwatch.Postgres.Sink;
using Tgwatch.Sinks.Console;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.Sinks.Sqlite;
using Tgwatch.Sinks.Telegram;
using Tgwatch.Sinks.Webhook;
using Tgwatch.Storage;

namespace Tgwatch.Cli.Hosting;

/// <summary>A <c>--sink</c> value: <c>console</c>, <c>jsonl:PATH</c>, <c>sqlite:PATH</c>, <c>webhook:URL</c>, <c>telegram:CHAT</c>, <c>postgres:CONNECTION-STRING</c> or <c>nats:nats://HOST:PORT</c>.</summary>
internal sealed partial record SinkSpec(string Kind, string Target)
{
    /// <summary>The value as the user wrote it (<c>sqlite:st.db</c>), to name the sink in a message.</summary>
    public string Given { get; private init; } = Kind;

    /// <summary>A <c>telegram:CHAT?forward=true</c>: the message itself is forwarded instead of an alert text.</summary>
    public bool Forward { get; private init; }

    /// <summary>The database of a <c>postgres:</c> value (its password registered as a secret when it was read), null for the others.</summary>
    public PostgresTarget? Postgres { get; private init; }

    /// <summary>The filters of its route (<c>Sinks</c> entries with <c>Chats</c>, <c>Text</c>, …): none, every message.</summary>
    public IReadOnlyList<Pipeline.IMessageFilter> Route { get; init; } = [];

    /// <summary>
    /// Parses the <c>--sink</c> values of a command (the one place they are read): every value that is no sink and every sink
    /// given twice is one line of <see cref="SinkSpecs.Problems"/>, in the user's words.
    /// </summary>
    public static SinkSpecs ParseAll(IEnumerable<string> texts)
    {
        var specs = new List<SinkSpec>();
        var problems = new List<string>();
        foreach (var text in texts)
        {
            if (TryParse(text, out var spec, out var error)) specs.Add(spec);
            else problems.Add(error);
        }
        foreach (var twice in specs.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add($"--sink {twice.Key} is given twice");
        return new SinkSpecs(specs, problems);
    }

    /// <summary>Parses a value; the error is one line for the user.</summary>
    private static bool TryParse(string text, out SinkSpec spec, out string error)
    {
        spec = null!;
        error = "";
        var colon = text.IndexOf(':');
        var kind = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant();
        var target = colon < 0 ? "" : text[(colon + 1)..].Trim();
        switch (kind)
        {
            case "console" when target.Length == 0:
                spec = new SinkSpec(kind, "") { Given = text };
                return true;
            case "jsonl" or "sqlite" when target.Length > 0:
                spec = new SinkSpec(kind, Path.GetFullPath(target)) { Given = text };
                return true;
            case "webhook" when Uri.TryCreate(target, UriKind.Absolute, out var url) && url.Scheme is "http" or "https":
                spec = new SinkSpec(kind, target) { Given = text };
                return true;
            case "telegram" when TelegramChat().IsMatch(ChatPart(target)):
                var query = target.Length > ChatPart(target).Length ? target[(ChatPart(target).Length + 1)..] : null;
                if (query is not null && !string.Equals(query, "forward=true", StringComparison.OrdinalIgnoreCase) && !string.Equals(query, "forward=false", StringComparison.OrdinalIgnoreCase))
                {
                    error = $"--sink {text}: the only option of a telegram sink is ?forward=true (forward the message itself), not '{query}'";
                    return false;
                }
                spec = new SinkSpec(kind, ChatPart(target)) { Given = text, Forward = string.Equals(query, "forward=true", StringComparison.OrdinalIgnoreCase) };
                return true;
            case "postgres":
                // The connection string holds a password: the sink is named, and said, by host, port and database only.
                try
                {
                    var database = PostgresTarget.Parse(target, "--sink");
                    spec = new SinkSpec(kind, database.Name) { Given = database.Name, Postgres = database };
                    return true;
                }
                catch (PostgresOpenException e)
                {
                    error = e.Message;
                    return false;
                }
            case "nats":
                return TryParseNats(text, target, out spec, out error);
            case "telegram":
                error = "--sink telegram needs a chat: telegram:-1001234567890 (its id) or telegram:@name (its username)";
                return false;
            case "jsonl" or "sqlite":
                error = $"--sink {kind} needs a file: {kind}:PATH";
                return false;
            case "webhook":
                error = "--sink webhook needs an http(s) address: webhook:https://host/path";
                return false;
            default:
                // A value with a password in it (a mistyped postgres:) is not repeated whole.
                var shown = text.Contains("password", StringComparison.OrdinalIgnoreCase) ? $"{kind}:…" : text;
                error = $"--sink '{shown}' is not one of console, jsonl:PATH, sqlite:PATH, webhook:URL, telegram:CHAT, postgres:CONNECTION-STRING, nats:nats://HOST:PORT";
                return false;
        }
    }

    /// <summary>
    /// A <c>nats:nats://[user:password@]host:port[?stream=NAME&amp;subject=PREFIX&amp;duplicate_window=10m]</c>: its credentials are
    /// registered as secrets at once, and the value is said without them.
    /// </summary>
    private static bool TryParseNats(string text, string target, out SinkSpec spec, out string error)
    {
        spec = null!;
        if (!NatsServerAddress.TryParse(target, out var address, out var problem, NatsSinkOptions.AddressOptions)
            || !NatsSinkOptions.FromAddress(address!, out _, out problem))
        {
            error = $"--sink nats: {problem} (nats:nats://HOST:4222[?stream=TGWATCH&subject=tgwatch&duplicate_window=10m])";
            return false;
        }
        foreach (var secret in address!.Secrets) Secrets.SecretRedactor.Default.Register(secret);
        error = "";
        spec = new SinkSpec("nats", target) { Given = "nats:" + address.ForLog, Nats = address };
        return true;
    }

    /// <summary>The server of a <c>nats:</c> value, with its credentials.</summary>
    private NatsServerAddress? Nats { get; init; }

    /// <summary>The sink's name in the ledger and in dead letters (stable across runs for the same target).</summary>
    public string Name => Kind switch
    {
        "console" => "console",
        "nats" => NatsOptions().Name,
        "webhook" => SafeUrl.SinkName(new Uri(Target)),
        "postgres" => Target,
        _ => $"{Kind}:{Target}",
    };

    /// <summary>Whether the sink posts alerts into a chat through the run's account (its bot, or its TDLib client).</summary>
    public bool IsTelegram => Kind == "telegram";

    /// <summary>The chat of a <c>telegram:</c> value, without its <c>?options</c>.</summary>
    private static string ChatPart(string target) => target.IndexOf('?') is var q and >= 0 ? target[..q] : target;

    /// <summary>A chat as <c>telegram:CHAT</c> takes it: a numeric id or an <c>@username</c> (5 to 32 characters).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^(-?[1-9][0-9]{0,18}|@[A-Za-z][A-Za-z0-9_]{3,31})$")]
    private static partial System.Text.RegularExpressions.Regex TelegramChat();

    /// <summary>The file a jsonl or sqlite sink writes (symbolic links followed), null for the others.</summary>
    public string? File => Kind is "jsonl" or "sqlite" ? FinalPath(Target) : null;

    /// <summary><paramref name="path"/> with a symbolic link at its end followed (as it is when it does not exist or is no link).</summary>
    internal static string FinalPath(string path)
    {
        try
        {
            return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }

    /// <summary>Registers the parts of a webhook address that may be credentials (user info, long path segments, query values) as secrets.</summary>
    private static void RegisterSecretsOf(Uri url)
    {
        if (url.UserInfo.Length > 0) Secrets.SecretRedactor.Default.Register(Uri.UnescapeDataString(url.UserInfo));
        foreach (var part in url.AbsolutePath.Split('/').Concat(url.Query.TrimStart('?').Split('&').Select(q => q[(q.IndexOf('=') + 1)..])))
            if (part.Length >= 16) Secrets.SecretRedactor.Default.Register(Uri.UnescapeDataString(part));
    }

    /// <summary>
    /// Creates the sink (a webhook with <paramref name="webhookTimeout"/> per request when given, else the default; a
    /// <c>telegram:CHAT</c> posting through <paramref name="poster"/>, the run's bot or TDLib client). An outbox sink (webhook,
    /// telegram) waits up to <paramref name="outboxDrain"/> at its close for what it has queued to go, while delivery works.
    /// </summary>
    /// <exception cref="CliException">A <c>telegram:CHAT</c> sink without an account to post through.</exception>
    public IMessageSink Create(IStateStore store, ILoggerFactory logs, TimeProvider time, string? webhookSecret, TimeSpan? webhookTimeout = null, IChatPoster? poster = null,
        TimeSpan? outboxDrain = null) => Kind switch
    {
        "telegram" => CreateTelegram(store, logs, time, poster, outboxDrain),
        "console" => new ConsoleSink(new ConsoleSinkOptions { Name = Name }),
        "jsonl" => new JsonlSink(new JsonlSinkOptions { Path = Target, Name = Name }, store.SinkLedger, logs.CreateLogger<JsonlSink>()),
        "sqlite" => new SqliteMessageSink(Target, time, Name),
        "postgres" => new PostgresMessageSink(Postgres!, Name),
        "webhook" => CreateWebhook(store, logs, time, webhookSecret, webhookTimeout, outboxDrain),
        "nats" => new NatsSink(NatsOptions(), logs.CreateLogger<NatsSink>(), time),
        _ => throw new InvalidOperationException($"unknown sink kind {Kind}"),
    };

    private NatsSinkOptions NatsOptions() => NatsSinkOptions.FromAddress(Nats!, out var options, out _) ? options : throw new InvalidOperationException("a nats sink read without its options");

    private TelegramSink CreateTelegram(IStateStore store, ILoggerFactory logs, TimeProvider time, IChatPoster? poster, TimeSpan? outboxDrain)
    {
        var options = new TelegramSinkOptions { Chat = Target, Name = Name, Forward = Forward };
        if (outboxDrain is { } drain) options = options with { ShutdownTimeout = drain };
        return new TelegramSink(options, poster ?? throw new CliException(ExitCodes.Usage,
            $"--sink {Given} posts through the run's account: tgwatch run, or deadletters replay with --bot-token, sends alerts"), store, logs.CreateLogger<TelegramSink>(), time);
    }

    private WebhookSink CreateWebhook(IStateStore store, ILoggerFactory logs, TimeProvider time, string? webhookSecret, TimeSpan? webhookTimeout, TimeSpan? outboxDrain)
    {
        var url = new Uri(Target);
        RegisterSecretsOf(url);
        var options = new WebhookSinkOptions { Url = url, Secret = webhookSecret, Name = Name };
        if (webhookTimeout is { } timeout) options = options with { RequestTimeout = timeout };
        if (outboxDrain is { } drain) options = options with { ShutdownTimeout = drain };
        return new WebhookSink(options, store, null, logs.CreateLogger<WebhookSink>(), time);
    }
}

/// <summary>The sinks of a command as <see cref="SinkSpec.ParseAll"/> read them.</summary>
/// <param name="Specs">The values that are sinks, in the order given.</param>
/// <param name="Problems">One line for each value that is not, and for each sink given twice.</param>
internal sealed record SinkSpecs(IReadOnlyList<SinkSpec> Specs, IReadOnlyList<string> Problems);
