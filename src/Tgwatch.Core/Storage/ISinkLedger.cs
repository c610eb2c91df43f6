namespace Tgwatch.Storage;

/// <summary>
/// For each sink that cannot deduplicate on its own (JSONL): which keys it has written and up to
/// which byte offset its output is accounted for. A sink records a batch after writing and flushing
/// it; on start it accounts for any complete lines past the recorded offset (written before a crash
/// could record them) and cuts a torn last line, only past the recorded offset (bytes it appended itself).
/// </summary>
public interface ISinkLedger
{
    /// <summary>
    /// The sink's accounted-for offset, or null when it never recorded one (then nothing in its file is known to be its
    /// own: a torn last line there is not cut).
    /// </summary>
    ValueTask<long?> GetOffsetAsync(string sink, CancellationToken ct);

    /// <summary>Those of <paramref name="keys"/> the sink has written.</summary>
    ValueTask<IReadOnlySet<string>> FindWrittenAsync(string sink, IReadOnlyCollection<string> keys, CancellationToken ct);

    /// <summary>In one transaction: records <paramref name="keys"/> as written and sets the offset.</summary>
    ValueTask RecordAsync(string sink, IReadOnlyCollection<string> keys, long offset, CancellationToken ct);
}
