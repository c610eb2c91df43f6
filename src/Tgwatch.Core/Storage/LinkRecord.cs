using Tgwatch.Connectors;

namespace Tgwatch.Storage;

/// <summary>
/// A connector's link state as a run last recorded it, so that <c>tgwatch status</c> (another process) can
/// show it. A run records each change and, every <see cref="ReportEvery"/>, that it is still there; a
/// record not renewed for a few of those periods was left by a run that no longer runs (killed, or the
/// machine stopped), and a run that stops records <see cref="ConnectionState.Disconnected"/> "stopped".
/// </summary>
/// <param name="Account">Account of the connector.</param>
/// <param name="Connector">Connector name.</param>
/// <param name="State">The link's state.</param>
/// <param name="Reason">Why it is not ready (the last fault), or "stopped"; null when ready.</param>
/// <param name="Since">When the state began.</param>
/// <param name="ReportedAt">When the run last recorded it.</param>
/// <param name="ReportEvery">How often the run renews the record.</param>
public sealed record LinkRecord(
    string Account,
    string Connector,
    ConnectionState State,
    string? Reason,
    DateTimeOffset Since,
    DateTimeOffset ReportedAt,
    TimeSpan ReportEvery)
{
    /// <summary>Periods without renewal after which a record is taken as left behind.</summary>
    public const int MissedReportsForStale = 3;

    /// <summary>True when the run that wrote it is apparently gone: not stopped, and not renewed for <see cref="MissedReportsForStale"/> periods.</summary>
    public bool IsStale(DateTimeOffset now) =>
        !(State == ConnectionState.Disconnected) && now - ReportedAt > ReportEvery * MissedReportsForStale;
}
