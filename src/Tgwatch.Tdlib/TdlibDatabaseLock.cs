namespace Tgwatch.Tdlib;

/// <summary>
/// An exclusive lock file (<c>tgwatch.lock</c>, advisory <c>flock</c>) in a TDLib database directory, taken
/// before TDLib opens the database so that a second user gets a typed error instead of TDLib's text.
/// </summary>
internal sealed class TdlibDatabaseLock : IDisposable
{
    // What .NET reports when the lock is held: flock's EWOULDBLOCK as HResult on Unix (11 on Linux, 35 on
    // macOS and BSD), ERROR_SHARING_VIOLATION as an HRESULT on Windows.
    private static readonly int LockHeld = OperatingSystem.IsWindows() ? unchecked((int)0x80070020) : OperatingSystem.IsLinux() ? 11 : 35;
    private readonly FileStream _file;

    private TdlibDatabaseLock(FileStream file) => _file = file;

    public static TdlibDatabaseLock Acquire(string directory)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Path.Combine(directory, "tgwatch.lock");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            return new TdlibDatabaseLock(new FileStream(path, options));
        }
        catch (IOException e) when (e.HResult == LockHeld)
        {
            throw new TdlibDatabaseInUseException(directory);
        }
    }

    public void Dispose() => _file.Dispose();
}
