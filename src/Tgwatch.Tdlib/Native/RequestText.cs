using System.Buffers;
using System.Text.Json;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Objects;

namespace Tgwatch.Tdlib.Native;

/// <summary>
/// A request as the NUL-terminated UTF-8 TDLib reads, written into a buffer of the calling thread (no string, no
/// marshalling copy). The span is valid until the thread's next call; TDLib copies the request before returning.
/// </summary>
internal static class RequestText
{
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public static ReadOnlySpan<byte> Of(TdFunction request)
    {
        var buffer = Buffer();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(buffer);
        JsonSerializer.Serialize(writer, request, TdJsonContext.Default.TdFunction);
        writer.Flush();
        return Terminate(buffer);
    }

    public static ReadOnlySpan<byte> Of(ReadOnlySpan<byte> json)
    {
        var buffer = Buffer();
        buffer.Write(json);
        return Terminate(buffer);
    }

    private static ArrayBufferWriter<byte> Buffer()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        // A rare huge request should not pin its memory to the thread for good.
        if (buffer.Capacity > 1 << 20) t_buffer = buffer = new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        return buffer;
    }

    private static ReadOnlySpan<byte> Terminate(ArrayBufferWriter<byte> buffer)
    {
        buffer.GetSpan(1)[0] = 0;
        buffer.Advance(1);
        return buffer.WrittenSpan;
    }
}
