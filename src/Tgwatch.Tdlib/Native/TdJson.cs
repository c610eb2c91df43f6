using System.Runtime.InteropServices;

namespace Tgwatch.Tdlib.Native;

/// <summary>
/// The libtdjson C interface. Strings returned by TDLib point into a thread-local buffer that stays
/// valid only until the next call on the same thread: they are copied at once and never freed
/// (a <c>string</c> return type would make the marshaller free TDLib's buffer).
/// </summary>
internal static unsafe partial class TdJson
{
    /// <summary>The name the imports use; <see cref="TdJsonLibrary"/> resolves it to the loaded file.</summary>
    internal const string LibraryName = "tdjson";

    [LibraryImport(LibraryName)]
    internal static partial int td_create_client_id();

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void td_send(int client_id, string request);

    [LibraryImport(LibraryName)]
    internal static partial byte* td_receive(double timeout);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial byte* td_execute(string request);

    /// <summary>td_execute on NUL-terminated UTF-8 the caller encoded (no marshalling).</summary>
    [LibraryImport(LibraryName, EntryPoint = "td_execute")]
    internal static partial byte* td_execute_utf8(byte* request);

    /// <summary>td_send on NUL-terminated UTF-8 the caller encoded (no marshalling).</summary>
    [LibraryImport(LibraryName, EntryPoint = "td_send")]
    internal static partial void td_send_utf8(int client_id, byte* request);

    [LibraryImport(LibraryName)]
    internal static partial void td_set_log_message_callback(int max_verbosity_level, delegate* unmanaged[Cdecl]<int, byte*, void> callback);

    /// <summary>A copy of the NUL-terminated UTF-8 string at <paramref name="text"/> (null for a null pointer).</summary>
    internal static byte[]? Copy(byte* text) =>
        text is null ? null : MemoryMarshal.CreateReadOnlySpanFromNullTerminated(text).ToArray();
}
