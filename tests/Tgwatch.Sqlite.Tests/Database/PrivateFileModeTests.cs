using Tgwatch.Sqlite.Database;
using Tgwatch.Storage;
using Tgwatch.TestKit;

namespace Tgwatch.Sqlite.Tests.Database;

/// <summary>ARCHITECTURE §2 (invariant 6): state files 0600, the directories Tgwatch creates for them 0700.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateFileModeTests : IDisposable
{
    private const UnixFileMode Rw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Rwx = Rw | UnixFileMode.UserExecute;
    private readonly string _dir = Some.TempDirectory("tgwatch-sqlite");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [UnixFact]
    public async Task NewStore_FileAndSideFilesAre0600_CreatedDirectoriesAre0700_ExistingOnesUntouched()
    {
        File.SetUnixFileMode(_dir, Rwx | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var path = Path.Combine(_dir, "data", "tgwatch", "tgwatch.db");
        await using var store = await SqliteStateStore.OpenAsync(path, TimeProvider.System, CancellationToken.None);
        await store.CommitAsync(Make.Commit(DateTimeOffset.UtcNow, Make.Messages(1, 1, 10)), CancellationToken.None);

        Assert.Equal(Rw, File.GetUnixFileMode(path));
        Assert.True(File.Exists(path + "-wal") && File.Exists(path + "-shm"), "WAL side files exist while the store is open");
        Assert.Equal(Rw, File.GetUnixFileMode(path + "-wal"));
        Assert.Equal(Rw, File.GetUnixFileMode(path + "-shm"));
        Assert.Equal(Rwx, File.GetUnixFileMode(Path.Combine(_dir, "data")));
        Assert.Equal(Rwx, File.GetUnixFileMode(Path.Combine(_dir, "data", "tgwatch")));
        Assert.Equal(UnixFileMode.OtherRead, File.GetUnixFileMode(_dir) & UnixFileMode.OtherRead);
    }

    [UnixFact]
    public void LooseSideFilesLeftByAnotherProgram_AreTightenedOnOpen()
    {
        var path = Path.Combine(_dir, "tgwatch.db");
        SqliteFile.Open(path, TestSchema(), TimeSpan.Zero).Dispose();
        // SQLite keeps -shm/-wal while a connection is open; hold one with the loose modes in place.
        using var holder = TempStore.RawConnection(path);
        Make.Scalar(holder, "SELECT count(*) FROM sqlite_master");
        File.SetUnixFileMode(path + "-wal", Rw | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(path + "-shm", Rw | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using var connection = SqliteFile.Open(path, TestSchema(), TimeSpan.Zero);
        Assert.Equal(Rw, File.GetUnixFileMode(path + "-wal"));
        Assert.Equal(Rw, File.GetUnixFileMode(path + "-shm"));
    }

    [UnixFact]
    public void AnExistingDatabaseFile_KeepsTheModeItsOwnerGaveIt()
    {
        var path = Path.Combine(_dir, "mine.db");
        File.WriteAllBytes(path, []);
        File.SetUnixFileMode(path, Rw | UnixFileMode.GroupRead);
        using var connection = SqliteFile.Open(path, TestSchema(), TimeSpan.Zero);
        Assert.Equal(Rw | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
    }

    private static SqliteSchema TestSchema() => new("test file", 0x54455354, [new Migration(1, "t", "CREATE TABLE t (x);")]);
}
