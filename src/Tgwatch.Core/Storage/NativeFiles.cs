using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tgwatch.Storage;

/// <summary>The few file system calls .NET has no API for: <c>flock(2)</c>, <c>statx(2)</c> and <c>fsync(2)</c> of a directory (Linux, glibc).</summary>
internal static partial class NativeFiles
{
    public const int LockExclusive = 2;
    public const int LockNonBlocking = 4;
    public const int Eintr = 4;
    private const int AtFdCwd = -100;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxIno = 0x100;

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(SafeFileHandle file, int operation);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directory, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(SafeFileHandle file, string path, int flags, uint mask, out StatxBuffer buffer);

    /// <summary>Device and inode of <paramref name="path"/> (symbolic links followed), or null when it does not exist or cannot be asked.</summary>
    public static (ulong Device, ulong Inode)? Identity(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return Statx(AtFdCwd, path, 0, StatxIno, out var b) == 0 ? ((ulong)b.DevMajor << 32 | b.DevMinor, b.Ino) : null;
        }
        catch (EntryPointNotFoundException)
        {
            return null; // a C library older than statx
        }
    }

    /// <summary>Device and inode of an open file, or null when it cannot be asked.</summary>
    public static (ulong Device, ulong Inode)? Identity(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return Statx(file, "", AtEmptyPath, StatxIno, out var b) == 0 ? ((ulong)b.DevMajor << 32 | b.DevMinor, b.Ino) : null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> (symbolic links followed) is something else than a regular file (a device, a pipe,
    /// a socket, a directory); false when it does not exist or cannot be asked.
    /// </summary>
    public static bool IsSpecial(string path)
    {
        if (!OperatingSystem.IsLinux()) return Directory.Exists(path);
        try
        {
            const int TypeMask = 0xF000, Regular = 0x8000;
            return Statx(AtFdCwd, path, 0, StatxType, out var b) == 0 && (b.Mode & TypeMask) != Regular;
        }
        catch (EntryPointNotFoundException)
        {
            return Directory.Exists(path);
        }
    }

    private const uint StatxType = 0x1;

    private const int ReadOnlyDirectory = 0x10000; // O_RDONLY | O_DIRECTORY

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);

    /// <summary>Forces <paramref name="directory"/>'s entries to the disk (a file just made in it is there for good only then).</summary>
    /// <exception cref="IOException">It cannot be opened or forced.</exception>
    public static void SyncDirectory(string directory)
    {
        var descriptor = Open(directory, ReadOnlyDirectory);
        if (descriptor < 0) throw new IOException($"{directory}: cannot be opened to be forced to the disk (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(descriptor) != 0) throw new IOException($"{directory}: cannot be forced to the disk (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    /// <summary>The parts of <c>struct statx</c> (the same layout on every Linux architecture) that say which file it is.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Ino;
        [FieldOffset(136)] public uint DevMajor;
        [FieldOffset(140)] public uint DevMinor;
    }
}
