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

    /// <summary>
    /// Records <paramref name="keys"/> as written and sets the offset, together. A store may hold the record of an append
    /// (keys, and an offset not behind the one it has stored) until its next commit, or a moment when none comes, and write it
    /// in the commit's transaction, answering <see cref="FindWrittenAsync"/> and <see cref="GetOffsetAsync"/> from it meanwhile:
    /// after a crash the sink's lines past the stored offset are its own appends, which it accounts for at its next start (a
    /// file moved away meanwhile takes its lines out of reach: hence the moment, not longer).
    /// </summary>
    ValueTask RecordAsync(string sink, IReadOnlyCollection<string> keys, long offset, CancellationToken ct);
}
