using Microsoft.Extensions.Logging;
using Tgwatch.Noise;
using Tgwatch.Noise.Logging;

namespace Tgwatch.Cli.Hosting;

/// <summary>The logger factory of a command: our line format on stderr, behind the noise gate.</summary>
internal sealed class CliLogging : IDisposable
{
    private readonly NoiseGatedLoggerProvider _gated;

    /// <param name="stderr">Where the log lines go.</param>
    /// <param name="minimum">The log level.</param>
    /// <param name="json">JSON lines instead of text.</param>
    /// <param name="time">The clock.</param>
    /// <param name="noise">The noise gate's options (<c>Noise:First</c> of <c>run</c>); the defaults when null.</param>
    public CliLogging(TextWriter stderr, LogLevel minimum, bool json, TimeProvider time, NoiseOptions? noise = null)
    {
        var colour = ReferenceEquals(RedactingWriter.Unwrap(stderr), Console.Error) && !Console.IsErrorRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        _gated = new NoiseGatedLoggerProvider(new LineLoggerProvider(stderr, minimum, json, colour, time), noise ?? new NoiseOptions(), time,
            textRules: new Dictionary<string, NoiseRules> { [Tdlib.TdClientHost.NativeLogCategory] = NoiseRules.Load() }); // TDLib's records, by the rule packs
        Factory = LoggerFactory.Create(b => b.SetMinimumLevel(minimum).AddProvider(_gated)
            .AddFilter(Tdlib.TdClientHost.NativeLogCategory, NativeTdlibMinimum(minimum)));
    }

    public ILoggerFactory Factory { get; }

    /// <summary>The noise gate the log lines pass (what it hid, by source and kind).</summary>
    public NoiseGate Noise => _gated.Gate;

    /// <summary>Writes pending summaries and flushes.</summary>
    public void Dispose()
    {
        Factory.Dispose();
        _gated.Dispose();
    }

    /// <summary>
    /// TDLib's own log lines below error level (its "warnings" are mostly routine: database versions, session ids,
    /// each failed connection attempt) are shown from <c>--log-level debug</c> on; errors always.
    /// </summary>
    internal static LogLevel NativeTdlibMinimum(LogLevel minimum) => minimum <= LogLevel.Debug ? minimum : LogLevel.Error;

    /// <summary>Parses a <c>--log-level</c> value.</summary>
    public static LogLevel? ParseLevel(string text) => text.ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" or "information" => LogLevel.Information,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "critical" or "crit" => LogLevel.Critical,
        "none" => LogLevel.None,
        _ => null,
    };
}
