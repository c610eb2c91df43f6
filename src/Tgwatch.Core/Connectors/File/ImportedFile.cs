using System.Globalization;
using System.Security.Cryptography;
using Tgwatch.Storage;

namespace Tgwatch.Connectors.File;

/// <summary>
/// What tells one imported file from another, so that each keeps its own position: its path, its device and inode
/// (the file itself, whatever was at the path before) and a hash of its first line (a file written again from its
/// start is another file).
/// </summary>
internal static class ImportedFile
{
    /// <summary>The longest first line read for the hash; a longer one is hashed up to here.</summary>
    private const int MaxFirstLine = 1 << 16;

    /// <summary>
    /// <c>PATH#DEV:INODE:HASH</c> for the open <paramref name="file"/> at <paramref name="path"/> (<c>NAME#HASH</c> without the
    /// device); the hash is of the first line without its line end (so a last line being written has the hash it will have
    /// once it is whole). Leaves the file's position where it was.
    /// </summary>
    public static string StreamOf(string path, FileStream file, bool withDevice = true)
    {
        var buffer = new byte[MaxFirstLine];
        var n = RandomAccess.Read(file.SafeFileHandle, buffer, 0);
        var end = Array.IndexOf(buffer, (byte)'\n', 0, n);
        if (end > 0 && buffer[end - 1] == '\r') end--;
        var hash = SHA256.HashData(buffer.AsSpan(0, end < 0 ? n : end));
        var first = Convert.ToHexStringLower(hash.AsSpan(0, 4));
        if (!withDevice) return $"{path}#{first}";
        var id = FileIdentity.Of(file.SafeFileHandle) ?? default;
        return string.Create(CultureInfo.InvariantCulture, $"{path}#{id.Device}:{id.Inode}:{first}");
    }
}
