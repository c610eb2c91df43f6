using Microsoft.Extensions.Options;
using Tgwatch.Cli.Hosting;
using Tgwatch.Noise;
using Tgwatch.Pipeline;
using Tgwatch.Validation;

namespace Tgwatch.Cli.Run;

/// <summary>
/// What <c>tgwatch run</c> is configured with: <c>tgwatch.json</c> (or <c>--config</c>), then environment variables
/// <c>TGWATCH__SECTION__KEY</c>, then flags, each later source winning. <see cref="RunSettingsReader"/> reads and checks them;
/// the values written as text (sinks, durations, names) are read into their types once, there.
/// </summary>
internal sealed class RunSettings
{
    /// <summary><c>botapi</c> or <c>tdlib</c>.</summary>
    public string Connector { get; set; } = "botapi";

    /// <summary>The Bot API connector's settings.</summary>
    public BotApiSettings BotApi { get; set; } = new();

    /// <summary>The TDLib connector's settings (also used by <c>login</c> and <c>chats</c>).</summary>
    public Login.TdlibSettings Tdlib { get; set; } = new();

    /// <summary>The durable JetStream consumer of <c>tgwatch consume</c> (connector <c>nats</c>).</summary>
    public NatsConsumeSettings Nats { get; set; } = new();

    /// <summary>Chats to watch (id or @username); none = every chat the account receives from.</summary>
    public List<string> Chats { get; set; } = [];

    /// <summary>Sinks: console, jsonl:PATH, sqlite:PATH, webhook:URL; each alone, or with the filters of its route.</summary>
    public List<SinkRoute> Sinks { get; set; } = [];

    /// <summary><see cref="Sinks"/> as read (console when none is given).</summary>
    internal IReadOnlyList<SinkSpec> SinkSpecs { get; set; } = [];

    /// <summary>Handlers: programs that handle each message (<c>--handler exec:COMMAND</c>, or entries with a route's filters).</summary>
    public List<Handlers.HandlerSettings> Handlers { get; set; } = [];

    /// <summary><see cref="Handlers"/> as read.</summary>
    internal IReadOnlyList<Handlers.HandlerSpec> HandlerSpecs { get; set; } = [];

    /// <summary>The state store (default: tgwatch.db in the data directory).</summary>
    public string? State { get; set; }

    /// <summary>The data directory (default: ~/.local/share/tgwatch).</summary>
    public string? DataDir { get; set; }

    /// <summary>Key of the webhook signature.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>How long one webhook request may take (<c>45s</c>, <c>2m</c>, <c>00:00:45</c>; default 30 s).</summary>
    public string? WebhookTimeout { get; set; }

    /// <summary><see cref="WebhookTimeout"/> as read; null for the default.</summary>
    internal TimeSpan? WebhookRequestTimeout { get; set; }

    /// <summary>How often the heartbeat line says the run works (<c>15m</c>, <c>1h</c>; <c>0</c>: never; default 15 minutes).</summary>
    public string? Heartbeat { get; set; }

    /// <summary><see cref="Heartbeat"/> as read; zero for none.</summary>
    internal TimeSpan HeartbeatEvery { get; set; } = Run.HeartbeatLine.Default;

    /// <summary>
    /// With a state store in PostgreSQL: how long the active runner of an account holds its lease without renewing it, so
    /// how soon a standby takes over when it dies or hangs (<c>10s</c>; default 10 seconds).
    /// </summary>
    public string? Lease { get; set; }

    /// <summary><see cref="Lease"/> as read; null when not given.</summary>
    internal TimeSpan? LeaseTime { get; set; }

    /// <summary>The lease time of a run with a shared state store.</summary>
    internal static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(10);

    /// <summary>The HTTP endpoint: metrics, health, readiness, status (off unless <see cref="HttpSettings.Listen"/> is given).</summary>
    public HttpSettings Http { get; set; } = new();

    /// <summary><see cref="HttpSettings.Listen"/> as read; null when the endpoint is off.</summary>
    internal Tgwatch.Cli.Http.HttpListen? HttpListen { get; set; }

    /// <summary>Downloads of the messages' files (off unless <see cref="MediaSettings.Dir"/> is given).</summary>
    public MediaSettings Media { get; set; } = new();

    /// <summary><see cref="Media"/> as read; null when downloads are off.</summary>
    internal Tgwatch.Media.MediaOptions? MediaOptions { get; set; }

    /// <summary>Pipeline tuning.</summary>
    public PipelineOptions Pipeline { get; set; } = new();

    /// <summary>The noise gate of the run's log (its own lines and TDLib's).</summary>
    public NoiseSettings Noise { get; set; } = new();

    /// <summary>The noise gate's options, with <see cref="NoiseSettings.First"/> as read.</summary>
    internal NoiseOptions NoiseOptions { get; set; } = new();

    /// <summary>The settings read under an old name, to be said at start.</summary>
    internal List<RenamedSetting> Renamed { get; } = [];
}

/// <summary>The <c>Http</c> section.</summary>
internal sealed class HttpSettings
{
    /// <summary>Where to serve the status page <c>/</c>, <c>/metrics</c>, <c>/healthz</c>, <c>/readyz</c> and <c>/api/status</c>: <c>ADDRESS:PORT</c>, <c>:PORT</c> for loopback (default off).</summary>
    public string? Listen { get; set; }

    /// <summary>The bearer token every endpoint but <c>/healthz</c> asks for; needed when <see cref="Listen"/> is not a loopback address.</summary>
    public string? Token { get; set; }
}

/// <summary>The <c>Noise</c> section.</summary>
internal sealed class NoiseSettings
{
    /// <summary>What becomes of the first record of a burst of noise: <c>full</c>, <c>line</c> or <c>none</c> (default line).</summary>
    public string? First { get; set; }
}

/// <summary>The <c>BotApi</c> section.</summary>
internal sealed class BotApiSettings
{
    /// <summary>The bot token.</summary>
    public string? Token { get; set; }

    /// <summary>A Bot API compatible server (default Telegram's).</summary>
    [HttpAddress(Optional = true)]
    public string? Url { get; set; }

    /// <summary><see cref="Url"/> as an address, or Telegram's (the connector's default) when none is given.</summary>
    internal Uri ApiUrl => Url is { } url ? new Uri(url) : BotApi.BotApiOptions.TelegramApiUrl;

    /// <summary>Long-polling timeout in seconds (default 30).</summary>
    [Between(0, 600)]
    public int PollTimeoutSeconds { get; set; } = 30;

    /// <summary>How many seconds past the long-polling timeout a request may take before it counts as timed out (default 10).</summary>
    [Between(1, 600)]
    public int HttpMarginSeconds { get; set; } = 10;

    /// <summary>The longest backoff step between attempts (default 30 s; from 1 s to 1 h). Formerly <c>MaxBackoffSeconds</c>, a number of seconds.</summary>
    [Duration(AtLeast = "00:00:01", AtMost = "01:00:00", AtMostInWords = "an hour")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Checks the <c>BotApi</c> section by the rules on its settings (the token is the run's to check: only the Bot API needs it).</summary>
[OptionsValidator]
internal sealed partial class BotApiSettingsValidator : IValidateOptions<BotApiSettings>;
