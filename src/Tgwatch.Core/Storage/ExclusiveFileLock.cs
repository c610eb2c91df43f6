namespace Tgwatch.Storage;

/// <summary>
/// An exclusive advisory lock on a file (<c>flock</c> on Unix), held while the instance lives and released by
/// the system when the process ends, however it ends (a <c>kill -9</c> leaves no stale lock behind).
/// </summary>
public sealed class ExclusiveFileLock : IDisposable
{
    // What .NET reports when the lock is held: flock's EWOULDBLOCK as HResult on Unix (11 on Linux, 35 on
    // macOS and BSD), ERROR_SHARING_VIOLATION as an HRESULT on Windows.
    private static readonly int LockHeld = OperatingSystem.IsWindows() ? unchecked((int)0x80070020) : OperatingSystem.IsLinux() ? 11 : 35;
    private readonly FileStream _file;

    private ExclusiveFileLock(FileStream file) => _file = file;

    /// <summary>The lock on <paramref name="path"/> (created 0600 when missing), or null when another holder has it.</summary>
    public static ExclusiveFileLock? TryAcquire(string path)
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            return new ExclusiveFileLock(new FileStream(path, options));
        }
        catch (IOException e) when (e.HResult == LockHeld)
        {
            return null;
        }
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _file.Dispose();
}
