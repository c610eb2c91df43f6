using System.Buffers;
using Tgwatch.Messages;

namespace Tgwatch.Sinks.Jsonl;

/// <summary>What <see cref="JsonlRepair.RunAsync"/> found past the recorded offset.</summary>
/// <param name="Recovered">Complete record lines whose keys were recorded.</param>
/// <param name="Unparsable">Complete lines that are not records (kept).</param>
/// <param name="FirstUnparsableOffset">Byte offset of the first such line, or -1.</param>
/// <param name="FirstUnparsableReason">Why it is not a record, or null.</param>
/// <param name="TornBytes">Bytes of an unterminated last line that were cut (0 when none).</param>
/// <param name="EndedBytes">Bytes of an unterminated last line that were kept and given a line end (0 when none).</param>
/// <param name="Length">The file's length afterwards (the new accounted-for offset).</param>
internal readonly record struct RepairResult(int Recovered, int Unparsable, long FirstUnparsableOffset, string? FirstUnparsableReason, long TornBytes, long EndedBytes, long Length);

/// <summary>
/// Accounts for the lines of a JSONL file past the ledger's offset: complete record lines get their keys
/// recorded (they were written before a crash could record them), complete lines that are not records are
/// kept and counted, and an unterminated last line is cut when the sink wrote it, else ended with a line end. Reads in chunks, so a large unaccounted part
/// (a lost state store) does not have to fit in memory.
/// </summary>
internal static class JsonlRepair
{
    private const int ChunkSize = 64 * 1024;
    private const int KeysPerRecord = 4096;

    /// <summary>Scans <paramref name="file"/> from <paramref name="from"/> to its end and records what it finds.</summary>
    /// <param name="file">The file, open for reading and writing.</param>
    /// <param name="from">Where the accounted-for part ends (a line start).</param>
    /// <param name="record">Records keys as written and sets the offset (the ledger).</param>
    /// <param name="cutTorn">
    /// Whether an unterminated last line is the sink's own torn write (past the offset its ledger recorded), to be cut;
    /// otherwise it is someone else's and is kept, ended with a line end so that no record is glued to it.
    /// </param>
    /// <param name="ct">Cancels the scan.</param>
    public static async ValueTask<RepairResult> RunAsync(FileStream file, long from, Func<IReadOnlyCollection<string>, long, ValueTask> record, bool cutTorn, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            var keys = new List<string>();
            int recovered = 0, unparsable = 0;
            long firstBad = -1;
            string? firstReason = null;
            var lineEnd = from; // absolute offset just past the last complete line
            var held = 0; // bytes of an unfinished line at the start of buffer
            file.Position = from;
            while (true)
            {
                if (held == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, held).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await file.ReadAsync(buffer.AsMemory(held), ct).ConfigureAwait(false);
                if (read == 0) break;
                var filled = held + read;
                var start = 0;
                int newline;
                while ((newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
                {
                    var line = buffer.AsSpan(start, newline);
                    if (TryKeys(line, keys, out var reason))
                    {
                        recovered++;
                    }
                    else if (unparsable++ == 0)
                    {
                        firstBad = lineEnd;
                        firstReason = reason;
                    }
                    start += newline + 1;
                    lineEnd += newline + 1;
                }
                held = filled - start;
                buffer.AsSpan(start, held).CopyTo(buffer);
                if (keys.Count >= KeysPerRecord)
                {
                    await record(keys, lineEnd).ConfigureAwait(false);
                    keys = [];
                }
            }

            long torn = 0, ended = 0;
            if (held > 0 && cutTorn)
            {
                file.SetLength(lineEnd);
                file.Flush(flushToDisk: true);
                torn = held;
            }
            else if (held > 0)
            {
                file.Position = lineEnd + held;
                file.Write("\n"u8);
                file.Flush(flushToDisk: true);
                if (TryKeys(buffer.AsSpan(0, held), keys, out var reason))
                {
                    recovered++;
                }
                else if (unparsable++ == 0)
                {
                    firstBad = lineEnd;
                    firstReason = reason;
                }
                lineEnd += held + 1;
                ended = held;
            }
            await record(keys, lineEnd).ConfigureAwait(false);
            file.Position = lineEnd;
            return new RepairResult(recovered, unparsable, firstBad, firstReason, torn, ended, lineEnd);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Whether <paramref name="file"/> holds records: its first line that is not blank is a record. An unterminated
    /// first line counts when it parses, or when it starts at or after <paramref name="ownFrom"/> (the sink's own
    /// bytes) and is the start of a record as the sink writes one (a torn first write). Reads at most 1 MiB.
    /// </summary>
    public static async ValueTask<bool> HoldsRecordsAsync(FileStream file, long length, long ownFrom, CancellationToken ct)
    {
        const int Limit = 1024 * 1024;
        var size = (int)Math.Min(length, Limit);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1));
        try
        {
            file.Position = 0;
            await file.ReadExactlyAsync(buffer.AsMemory(0, size), ct).ConfigureAwait(false);
            var text = buffer.AsSpan(0, size);
            var start = 0;
            while (start < text.Length && text[start] is (byte)'\n' or (byte)'\r') start++;
            if (start == text.Length) return size == length; // blank lines only
            var rest = text[start..];
            var newline = rest.IndexOf((byte)'\n');
            var scratch = new List<string>();
            if (newline >= 0) return TryKeys(rest[..newline], scratch, out _);
            if (size < length) return false; // a first line longer than any record
            if (TryKeys(rest, scratch, out _)) return true;
            var head = "{\"account\":"u8;
            return start >= ownFrom && (rest.StartsWith(head) || head.StartsWith(rest));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The offset just past the last line end at or before <paramref name="length"/> (0 when none).</summary>
    public static async ValueTask<long> LastLineEndAsync(FileStream file, long length, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            var end = length;
            while (end > 0)
            {
                var size = (int)Math.Min(ChunkSize, end);
                file.Position = end - size;
                await file.ReadExactlyAsync(buffer.AsMemory(0, size), ct).ConfigureAwait(false);
                var i = buffer.AsSpan(0, size).LastIndexOf((byte)'\n');
                if (i >= 0) return end - size + i + 1;
                end -= size;
            }
            return 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Adds the keys a record line may have been written under. A line is the contract record, which writes a reply
    /// update (a reply resolved after its message was delivered) as an edit dated when the reply was resolved, like a
    /// real edit of that second: for an edit whose reply is resolved, the keys of the reply update it may be are
    /// recorded too, so that neither is written twice; so for a media update (an edit whose download ended). (The write path keeps the two apart by their own keys.)
    /// </summary>
    internal static bool TryKeys(ReadOnlySpan<byte> line, List<string> keys, out string reason)
    {
        try
        {
            var record = TgMessageJson.Parse(line);
            keys.Add(record.Key);
            if (record is { Kind: MessageKind.Edit, EditDate: not null, ReplyTo.State: ReplyState.Resolved })
            {
                keys.Add(MessageKey.Of(record with { IsReplyUpdate = true, Kind = MessageKind.New }));
                keys.Add(MessageKey.Of(record with { IsReplyUpdate = true, Kind = MessageKind.Edit }));
            }
            if (record is { Kind: MessageKind.Edit, EditDate: not null, Media.Download.State: not MediaState.Pending })
            {
                keys.Add(MessageKey.Of(record with { IsMediaUpdate = true, Kind = MessageKind.New }));
                keys.Add(MessageKey.Of(record with { IsMediaUpdate = true, Kind = MessageKind.Edit }));
            }
            reason = "";
            return true;
        }
        catch (FormatException e)
        {
            reason = e.Message;
            return false;
        }
        catch (ArgumentException e)
        {
            // A record that parses but cannot make a key (an unknown kind number, say) is not ours either.
            reason = e.Message;
            return false;
        }
    }
}
