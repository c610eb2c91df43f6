using System.Buffers;
using System.Text.Json;

namespace Tgwatch.Messages;

/// <summary>
/// Writes records (<see cref="TgMessageJson"/>) one after the other into one buffer of its own, kept from record to record:
/// a record costs no allocation once the buffer has grown to the records' size. Not thread-safe: one per writer of records.
/// </summary>
public sealed class TgMessageJsonWriter : IDisposable
{
    // A buffer grown past this by a very long record is not kept for the next one.
    private const int KeptCapacity = 64 * 1024;
    [ThreadStatic] private static TgMessageJsonWriter? t_cached;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json;

    /// <summary>A writer with an empty buffer.</summary>
    public TgMessageJsonWriter() => _json = new Utf8JsonWriter(_buffer, TgMessageJson.WriterOptions);

    /// <summary>
    /// The record of <paramref name="message"/> as UTF-8 JSON on one line, without a line end; valid until the next call.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="full">The full form instead of the JSONL contract (see <see cref="TgMessageJson.Write"/>).</param>
    public ReadOnlyMemory<byte> Write(TgMessage message, bool full = false)
    {
        _buffer.ResetWrittenCount();
        _json.Reset();
        TgMessageJson.Write(_json, message, full);
        _json.Flush();
        return _buffer.WrittenMemory;
    }

    /// <inheritdoc />
    public void Dispose() => _json.Dispose();

    /// <summary>This thread's writer (a new one when it is in use already).</summary>
    internal static TgMessageJsonWriter Rent()
    {
        var writer = t_cached ?? new TgMessageJsonWriter();
        t_cached = null;
        return writer;
    }

    /// <summary>Gives back a writer from <see cref="Rent"/>; one grown past <see cref="KeptCapacity"/> is let go.</summary>
    internal static void Return(TgMessageJsonWriter writer)
    {
        if (writer._buffer.Capacity <= KeptCapacity) t_cached = writer;
    }
}
