using Microsoft.Extensions.Logging;

namespace Tgwatch.Tdlib;

/// <summary>Settings of the process-wide TDLib runtime.</summary>
public sealed record TdClientHostOptions
{
    /// <summary>An explicit libtdjson path (the <c>--tdjson</c> option); before <c>TGWATCH_TDJSON</c>.</summary>
    public string? TdjsonPath { get; init; }

    /// <summary>TDLib's global log verbosity (0 fatal … 5 verbose). Default 2: warnings and errors.</summary>
    public int LogVerbosity { get; init; } = 2;

    /// <summary>
    /// Per-tag levels. A tag's records are logged at its level and appear only when that is at most
    /// <see cref="LogVerbosity"/> (TDLib compares each record's level with the global verbosity). By default the
    /// <c>connections</c> tag is at 2, so ConnectionCreator's attempts and failures (<c>Failed connection …</c>,
    /// which TDLib logs under this tag only) appear at the default verbosity; the noise gate's TDLib rules collapse them.
    /// The <c>td_requests</c> tag is muted (1024, above any verbosity): it dumps every request and answer, and answers
    /// hold secrets (getMe's phone number, a login's code info) that no log line may carry.
    /// </summary>
    public IReadOnlyDictionary<string, int> LogTagVerbosity { get; init; } = new Dictionary<string, int> { ["connections"] = 2, ["td_requests"] = MutedTag };

    /// <summary>A tag level above any verbosity (TDLib's is at most 1023): the tag's records are never written.</summary>
    public const int MutedTag = 1024;

    /// <summary>How long one <c>td_receive</c> call waits; bounds how long stopping the receive thread takes.</summary>
    public TimeSpan ReceiveTimeout { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The timeout of a request when the caller gives none. TDLib itself never times out some requests while offline.</summary>
    public TimeSpan DefaultRequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Updates buffered per client; when full, the receive thread waits for the reader (back-pressure).</summary>
    public int UpdateCapacity { get; init; } = 10_000;

    /// <summary>Where the runtime's own records and TDLib's log (category <c>Tgwatch.Tdlib.Native</c>) go; null: nowhere.</summary>
    public ILoggerFactory? Loggers { get; init; }
}
