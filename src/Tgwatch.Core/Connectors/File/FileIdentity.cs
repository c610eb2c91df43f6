using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Tgwatch.Connectors.File;

/// <summary>
/// What tells one imported file from another, so that each keeps its own position: its path, its device and inode
/// (the file itself, whatever was at the path before) and a hash of its first line (a file written again from its
/// start is another file).
/// </summary>
internal static partial class FileIdentity
{
    /// <summary>The longest first line read for the hash; a longer one is hashed up to here.</summary>
    private const int MaxFirstLine = 1 << 16;

    /// <summary>
    /// <c>PATH#DEV:INODE:HASH</c> for the open <paramref name="file"/> at <paramref name="path"/>; the hash is of the first
    /// line without its line end (so a last line being written has the hash it will have once it is whole). Leaves the
    /// file's position where it was.
    /// </summary>
    public static string Of(string path, FileStream file)
    {
        var buffer = new byte[MaxFirstLine];
        var n = RandomAccess.Read(file.SafeFileHandle, buffer, 0);
        var end = Array.IndexOf(buffer, (byte)'\n', 0, n);
        if (end > 0 && buffer[end - 1] == '\r') end--;
        var hash = SHA256.HashData(buffer.AsSpan(0, end < 0 ? n : end));
        var (device, inode) = DeviceAndInode(file.SafeFileHandle);
        return string.Create(CultureInfo.InvariantCulture, $"{path}#{device}:{inode}:{Convert.ToHexStringLower(hash.AsSpan(0, 4))}");
    }

    /// <summary>The file's device (major:minor as one number) and inode, from <c>statx(2)</c>; (0, 0) where that is not available.</summary>
    private static (ulong Device, ulong Inode) DeviceAndInode(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux()) return (0, 0);
        // struct statx is 256 bytes with the same layout on every architecture: stx_ino at 32, stx_dev_major at 136, stx_dev_minor at 140.
        Span<byte> statx = stackalloc byte[256];
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (Statx((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxIno, ref MemoryMarshal.GetReference(statx)) != 0) return (0, 0);
        }
        catch (EntryPointNotFoundException)
        {
            return (0, 0);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
        var inode = BitConverter.ToUInt64(statx[32..40]);
        var device = ((ulong)BitConverter.ToUInt32(statx[136..140]) << 32) | BitConverter.ToUInt32(statx[140..144]);
        return (device, inode);
    }

    private const int AtEmptyPath = 0x1000;
    private const uint StatxIno = 0x100;

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, ref byte buffer);
}
