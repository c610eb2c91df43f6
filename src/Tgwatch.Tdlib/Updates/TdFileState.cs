using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Tgwatch.Tdlib.Updates;

/// <summary>
/// A TDLib <c>file</c> as a download follows it (the answer to <c>downloadFile</c>, and <c>updateFile</c>): its id, its size
/// (or the size expected while it is not known), and its <c>local</c> part: where TDLib writes it, whether it is downloading
/// or complete, and how many bytes it has.
/// </summary>
/// <param name="Id">TDLib's file id.</param>
/// <param name="Size">The file's size; 0 while unknown.</param>
/// <param name="ExpectedSize">The size expected while <paramref name="Size"/> is unknown.</param>
/// <param name="Path">Where TDLib writes the file; empty before it starts.</param>
/// <param name="IsDownloadingActive">TDLib is downloading it now.</param>
/// <param name="IsDownloadingCompleted">The whole file is at <paramref name="Path"/>.</param>
/// <param name="DownloadedSize">The bytes TDLib has of it.</param>
public sealed record TdFileState(int Id, long Size, long ExpectedSize, string Path, bool IsDownloadingActive, bool IsDownloadingCompleted, long DownloadedSize)
{
    /// <summary>The size known or expected; 0 when neither is.</summary>
    public long Total => Size > 0 ? Size : ExpectedSize;

    /// <summary>Reads a <c>file</c> object; false, with the reason in <paramref name="why"/>, when it is not one. Never throws.</summary>
    public static bool TryRead(JsonElement file, [NotNullWhen(true)] out TdFileState? state, out string? why)
    {
        state = null;
        why = null;
        if (file.ValueKind != JsonValueKind.Object) why = $"a file must be a JSON object, not {file.ValueKind}";
        else if (!file.TryGetProperty("id"u8, out var id) || id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out var fileId))
            why = "a file needs a number id";
        else if (!file.TryGetProperty("local"u8, out var local) || local.ValueKind != JsonValueKind.Object)
            why = "a file needs a local object";
        else
        {
            state = new TdFileState(fileId, Number(file, "size"u8), Number(file, "expected_size"u8),
                local.TryGetProperty("path"u8, out var path) && path.ValueKind == JsonValueKind.String ? path.GetString()! : "",
                Flag(local, "is_downloading_active"u8), Flag(local, "is_downloading_completed"u8), Number(local, "downloaded_size"u8));
        }
        return state is not null;
    }

    private static long Number(JsonElement o, ReadOnlySpan<byte> name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n > 0 ? n : 0;

    private static bool Flag(JsonElement o, ReadOnlySpan<byte> name) => o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}
