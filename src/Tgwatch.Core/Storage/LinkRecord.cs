using Tgwatch.Connectors;

namespace Tgwatch.Storage;

/// <summary>
/// A connector's link state as a run last recorded it, so that <c>tgwatch status</c> (another process) can
/// show it. A run records each change and, every <see cref="ReportEvery"/>, that it is still there; a
/// record not renewed for a few of those periods was left by a run that no longer runs (killed, or the
/// machine stopped). A run that ends records it (<see cref="Ended"/>): "stopped", or why it failed.
/// </summary>
/// <param name="Account">Account of the connector.</param>
/// <param name="Connector">Connector name.</param>
/// <param name="State">The link's state.</param>
/// <param name="Reason">Why it is not ready (the last fault), or how the run ended; null when ready.</param>
/// <param name="Since">When the state began (for an ended run: when it ended).</param>
/// <param name="ReportedAt">When the run last recorded it.</param>
/// <param name="ReportEvery">How often the run renews the record.</param>
/// <param name="Ended">True for the last record of a run that ended (not renewed any more, never stale).</param>
public sealed record LinkRecord(
    string Account,
    string Connector,
    ConnectionState State,
    string? Reason,
    DateTimeOffset Since,
    DateTimeOffset ReportedAt,
    TimeSpan ReportEvery,
    bool Ended = false)
{
    /// <summary>Periods without renewal after which a record is taken as left behind.</summary>
    public const int MissedReportsForStale = 3;

    /// <summary>True when the run that wrote it is apparently gone: it did not record its end, and has not renewed it for <see cref="MissedReportsForStale"/> periods.</summary>
    public bool IsStale(DateTimeOffset now) => !Ended && (now - ReportedAt).TotalMilliseconds > ReportEvery.TotalMilliseconds * MissedReportsForStale;
}
