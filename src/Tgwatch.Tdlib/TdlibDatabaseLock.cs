namespace Tgwatch.Tdlib;

/// <summary>
/// An exclusive lock file (<c>tgwatch.lock</c>, advisory <c>flock</c>) in a TDLib database directory, taken
/// before TDLib opens the database so that a second user gets a typed error instead of TDLib's text.
/// </summary>
internal sealed class TdlibDatabaseLock : IDisposable
{
    private readonly Storage.ExclusiveFileLock _lock;

    private TdlibDatabaseLock(Storage.ExclusiveFileLock held) => _lock = held;

    public static TdlibDatabaseLock Acquire(string directory)
    {
        Storage.PrivateDirectory.Create(directory);
        var held = Storage.ExclusiveFileLock.TryAcquire(Path.Combine(directory, "tgwatch.lock"))
            ?? throw new TdlibDatabaseInUseException(directory);
        return new TdlibDatabaseLock(held);
    }

    public void Dispose() => _lock.Dispose();
}
