using System.Buffers.Binary;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace Tgwatch.BotApi;

/// <summary>
/// The <c>getUpdates</c> answers a bot received, on the local disk, each forced to it (fsync) before the next poll's
/// offset confirms its updates to Telegram: what Telegram has forgotten, this file still has until the state store has
/// committed it. A record is the answer's bytes as they came, with the position delivered last when its poll went out
/// (so that the positions given to its updates are given again when it is read back) and a CRC-32.
/// </summary>
/// <remarks>
/// Records: <c>TGJ3</c>, the generation, the payload's length and its CRC-32 (little-endian, 4 bytes each), then the
/// payload: the position delivered last (8 bytes), flags (1 byte: 1 = ids may have started again lower), when the poll
/// went out (Unix milliseconds, 8 bytes), the answer's bytes. The file is kept filled with zeros ahead of its records (a megabyte at a time), so that a record overwrites
/// bytes the file has and forcing it to the disk writes no file size (half the time of an append, measured). Emptied once
/// everything in it is committed: the first record's header is zeroed and the next records, of a new generation, are
/// written from the start; reading stops at the first record that is not whole or not of the first one's generation. A
/// record of that generation cut short (a stop between the write and its fsync: its updates were never confirmed) is said.
/// </remarks>
internal sealed class ReceivedJournal : IDisposable
{
    private static ReadOnlySpan<byte> Magic => "TGJ3"u8;

    private const int HeaderBytes = 16;
    private const int PayloadHeaderBytes = 17;

    /// <summary>How much zero-filled room is added at a time.</summary>
    internal const int Room = 1024 * 1024;

    private readonly FileStream _stream;
    private readonly SafeFileHandle _file;
    private byte[] _record = new byte[64 * 1024];
    private uint _generation;
    private long _size;

    private ReceivedJournal(string path, FileStream stream, long length, long size, uint generation)
    {
        Path = path;
        _stream = stream;
        _file = stream.SafeFileHandle;
        Length = length;
        _size = size;
        _generation = generation;
    }

    /// <summary>Where it is.</summary>
    public string Path { get; }

    /// <summary>The bytes of the readable records (where the next one goes).</summary>
    public long Length { get; private set; }

    /// <summary>One answer read back.</summary>
    /// <param name="DeliveredAtSend">The position delivered last when its poll went out.</param>
    /// <param name="IdRestartPossible">Whether that poll was sent when ids may have started again lower.</param>
    /// <param name="Answer">The answer's bytes.</param>
    /// <param name="PolledAt">When its poll went out.</param>
    public readonly record struct Entry(long DeliveredAtSend, bool IdRestartPossible, byte[] Answer, DateTimeOffset PolledAt);

    /// <summary>
    /// Opens the journal at <paramref name="path"/> (made, 0600, when missing) and reads what it holds; the next record
    /// goes after the last one read.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="entries">The answers it holds, in the order they came.</param>
    /// <param name="cutShort">The bytes of a record of the same generation cut short after the last whole one (0: none).</param>
    public static ReceivedJournal Open(string path, out List<Entry> entries, out long cutShort)
    {
        Storage.PrivateFiles.EnsureFileDurably(path);
        var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.ReadWrite, Share = FileShare.Read, BufferSize = 0 });
        var file = stream.SafeFileHandle;
        try
        {
            var size = RandomAccess.GetLength(file);
            entries = [];
            cutShort = 0;
            uint? generation = null;
            long at = 0;
            Span<byte> header = stackalloc byte[HeaderBytes];
            while (at + HeaderBytes <= size && RandomAccess.Read(file, header, at) == HeaderBytes && header[..4].SequenceEqual(Magic))
            {
                var recordGeneration = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
                if (generation is { } g && recordGeneration != g) break; // left from before the journal was emptied
                var length = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
                var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
                byte[]? payload = length >= PayloadHeaderBytes && length <= size - at - HeaderBytes ? new byte[length] : null;
                if (payload is null || RandomAccess.Read(file, payload, at + HeaderBytes) != payload.Length || Crc32.HashToUInt32(payload) != crc)
                {
                    if (generation is null || recordGeneration == generation) cutShort = Math.Min(size - at, HeaderBytes + (long)length);
                    break;
                }
                generation = recordGeneration;
                entries.Add(new Entry(BinaryPrimitives.ReadInt64LittleEndian(payload), (payload[8] & 1) != 0, payload[PayloadHeaderBytes..],
                    DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(BinaryPrimitives.ReadInt64LittleEndian(payload.AsSpan(9)), 0, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()))));
                at += HeaderBytes + length;
            }
            // Appending again to records read keeps their generation; an empty journal starts a new one.
            return new ReceivedJournal(path, stream, at, size, generation ?? NewGeneration());
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Adds an answer and forces it to the disk; its updates may be confirmed once this returns.</summary>
    /// <param name="deliveredAtSend">The position delivered last when its poll went out.</param>
    /// <param name="idRestartPossible">Whether that poll was sent when ids may have started again lower.</param>
    /// <param name="answer">The answer's bytes.</param>
    /// <param name="polledAt">When its poll went out (at a start, the updates in it count as having come then).</param>
    /// <exception cref="IOException">It could not be written (a full disk, an I/O error): its updates must not be confirmed.</exception>
    public void Append(long deliveredAtSend, bool idRestartPossible, ReadOnlySpan<byte> answer, DateTimeOffset polledAt)
    {
        var length = PayloadHeaderBytes + answer.Length;
        var total = HeaderBytes + length;
        if (_record.Length < total) _record = new byte[Math.Max(total, _record.Length * 2)];
        var record = _record.AsSpan(0, total);
        var payload = record[HeaderBytes..];
        BinaryPrimitives.WriteInt64LittleEndian(payload, deliveredAtSend);
        payload[8] = idRestartPossible ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(payload[9..], polledAt.ToUnixTimeMilliseconds());
        answer.CopyTo(payload[PayloadHeaderBytes..]);
        Magic.CopyTo(record);
        BinaryPrimitives.WriteUInt32LittleEndian(record[4..], _generation);
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(record[12..], Crc32.HashToUInt32(payload));
        if (Length + total > _size) MakeRoom(Length + total);
        RandomAccess.Write(_file, record, Length);
        RandomAccess.FlushToDisk(_file);
        Length += total;
    }

    /// <summary>
    /// Empties it (everything in it is committed): the first record's header is zeroed and the next records, of a new
    /// generation, go from the start. Not forced to the disk: records that come back after a crash are all committed.
    /// </summary>
    public void Clear()
    {
        if (Length == 0) return;
        RandomAccess.Write(_file, stackalloc byte[HeaderBytes], 0);
        Length = 0;
        _generation = NewGeneration();
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();

    /// <summary>Zeros up to past <paramref name="end"/>, a megabyte at a time, forced to the disk with the file's new size.</summary>
    private void MakeRoom(long end)
    {
        var zeros = new byte[64 * 1024];
        var size = (end + Room - 1) / Room * Room;
        for (var at = _size; at < size; at += zeros.Length) RandomAccess.Write(_file, zeros.AsSpan(0, (int)Math.Min(zeros.Length, size - at)), at);
        RandomAccess.FlushToDisk(_file);
        _size = size;
    }

    /// <summary>A generation unlike the one before (records left from it are not read as this one's).</summary>
    private static uint NewGeneration() => (uint)Random.Shared.NextInt64(1, uint.MaxValue);
}
