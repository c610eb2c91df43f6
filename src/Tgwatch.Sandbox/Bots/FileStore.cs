using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Tgwatch.Sandbox.Wire;

namespace Tgwatch.Sandbox.Bots;

/// <summary>
/// The files of a bot's messages, as <c>getFile</c> and <c>/file/bot&lt;token&gt;/&lt;file_path&gt;</c> serve them: each
/// has a <c>file_path</c> once registered, and bytes made from its unique id (the same bytes every time, never stored).
/// Telegram's rule: files up to 20 MB can be had through the Bot API; <c>getFile</c> refuses larger ones.
/// </summary>
internal sealed class FileStore
{
    /// <summary>The largest file the Bot API lets a bot download: 20 MB.</summary>
    public const long MaxDownload = 20L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, WireFile> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WireFile> _byPath = new(StringComparer.Ordinal);
    private int _next;

    /// <summary>Registers a file of a message: <c>folder/file_N.ext</c>.</summary>
    public WireFile Add(string fileId, string uniqueId, long size, string folder, string ext)
    {
        var path = $"{folder}/file_{Interlocked.Increment(ref _next) - 1}.{ext}";
        var file = new WireFile(fileId, uniqueId, size, path);
        _byId[fileId] = file;
        _byPath[path] = file;
        return file;
    }

    /// <summary>The file of a <c>file_id</c>, or null.</summary>
    public WireFile? ById(string fileId) => _byId.GetValueOrDefault(fileId);

    /// <summary>The file at a <c>file_path</c>, or null.</summary>
    public WireFile? ByPath(string path) => _byPath.GetValueOrDefault(path);

    /// <summary>
    /// The bytes of a file: a keystream of AES in counter mode keyed with the SHA-256 of its unique id, cut to its size. Made
    /// at memory speed (AES instructions), so that a download from the sandbox measures the client, not the sandbox.
    /// </summary>
    public static byte[] Content(WireFile file)
    {
        var bytes = new byte[file.FileSize];
        using var aes = Aes.Create();
        aes.Key = SHA256.HashData(Encoding.UTF8.GetBytes(file.FileUniqueId));
        var counters = new byte[64 * 1024]; // 16-byte blocks: the block's number, then zeros
        for (long at = 0, n = 0; at < bytes.Length; at += counters.Length)
        {
            var length = (int)Math.Min(counters.Length, (bytes.Length - at + 15) & ~15L);
            for (var i = 0; i < length; i += 16, n++) BinaryPrimitives.WriteInt64LittleEndian(counters.AsSpan(i), n);
            var chunk = bytes.AsSpan((int)at, (int)Math.Min(length, bytes.Length - at));
            if (chunk.Length == length) aes.EncryptEcb(counters.AsSpan(0, length), chunk, PaddingMode.None);
            else aes.EncryptEcb(counters.AsSpan(0, length), PaddingMode.None).AsSpan(0, chunk.Length).CopyTo(chunk);
        }
        return bytes;
    }
}
