using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Tgwatch.Storage;

/// <summary>
/// An exclusive advisory lock on a file (<c>flock(2)</c> on Unix, so <c>flock -n FILE</c> sees it too), held while the
/// instance lives and released by the system when the process ends, however it ends (a <c>kill -9</c> leaves no stale
/// lock behind). The lock is taken with <c>flock</c> itself, not through .NET's file sharing (which can be turned off
/// and is, for Tgwatch: readers such as <c>tgwatch import</c> must be able to read a file another run writes).
/// </summary>
public sealed class ExclusiveFileLock : IDisposable
{
    // flock's EWOULDBLOCK (11 on Linux, 35 on macOS and BSD), also what .NET reports as HResult when its own file
    // locking meets a held lock; ERROR_SHARING_VIOLATION as an HRESULT on Windows.
    private static readonly int LockHeld = OperatingSystem.IsWindows() ? unchecked((int)0x80070020) : OperatingSystem.IsLinux() ? 11 : 35;
    private const int NoLocks = 37; // ENOLCK: a file system without locks
    private const int NotSupported = 95; // EOPNOTSUPP
    private readonly FileStream _file;

    private ExclusiveFileLock(FileStream file) => _file = file;

    /// <summary>The lock on <paramref name="path"/> (created 0600 when missing), or null when another holder has it.</summary>
    public static ExclusiveFileLock? TryAcquire(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = PrivateFiles.Mode;
        return TryOpen(path, options) is { } file ? new ExclusiveFileLock(file) : null;
    }

    /// <summary>
    /// Opens <paramref name="path"/> with <paramref name="options"/> and locks it (exclusive, not waiting), or returns null
    /// when another open file holds a lock on it. The lock lives as long as the stream.
    /// </summary>
    /// <exception cref="IOException">The file cannot be opened, or locking failed for another reason than a holder.</exception>
    public static FileStream? TryOpen(string path, FileStreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        FileStream file;
        try
        {
            file = new FileStream(path, options);
        }
        catch (IOException e) when (e.HResult == LockHeld)
        {
            return null; // .NET's own file locking (where it is on) met the holder first
        }
        try
        {
            if (TryLock(file.SafeFileHandle, path)) return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
        file.Dispose();
        return null;
    }

    /// <summary>Takes the exclusive <c>flock</c> of an open file without waiting; false when another open file holds a lock on it.</summary>
    private static bool TryLock(SafeFileHandle file, string path)
    {
        if (OperatingSystem.IsWindows()) return true; // FileShare.None is the lock there
        var held = 0;
        while (NativeFiles.Flock(file, NativeFiles.LockExclusive | NativeFiles.LockNonBlocking) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno == NativeFiles.Eintr) continue;
            if (errno == LockHeld)
            {
                // A lock this process let go of can outlive it by a moment: a child process started meanwhile holds a
                // copy of the descriptor from its fork until its exec closes it. Another writer holds on for longer.
                if (++held > HeldRetries) return false;
                Thread.Sleep(HeldRetryDelay);
                continue;
            }
            if (errno is NoLocks or NotSupported) return true; // no locks on this file system: as good as it gets
            throw new IOException($"cannot lock {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        return true;
    }

    private const int HeldRetries = 10;
    private static readonly TimeSpan HeldRetryDelay = TimeSpan.FromMilliseconds(20);

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _file.Dispose();
}
