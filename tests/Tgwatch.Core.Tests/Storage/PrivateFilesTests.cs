using Tgwatch.Storage;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Storage;

/// <summary>ARCHITECTURE §2 (invariant 6): files 0600, the directories Tgwatch creates for them 0700.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateFilesTests : IDisposable
{
    private const UnixFileMode Rw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Rwx = Rw | UnixFileMode.UserExecute;
    private const UnixFileMode Loose = Rw | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private readonly string _root = Some.TempDirectory("tgwatch-private");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void EnsureFile_NewFileInMissingDirectories_IsCreated0600_InDirectories0700_ExistingParentUntouched()
    {
        File.SetUnixFileMode(_root, Rwx | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        var path = Path.Combine(_root, "data", "tgwatch", "state.db");

        PrivateFiles.EnsureFile(path);

        Assert.Equal(Rw, File.GetUnixFileMode(path));
        Assert.Equal(Rwx, File.GetUnixFileMode(Path.Combine(_root, "data")));
        Assert.Equal(Rwx, File.GetUnixFileMode(Path.Combine(_root, "data", "tgwatch")));
        Assert.Equal(Rwx | UnixFileMode.GroupRead | UnixFileMode.GroupExecute, File.GetUnixFileMode(_root));
    }

    [Fact]
    public void EnsureFile_ExistingFile_KeepsItsContentAndTheModeItsOwnerGaveIt()
    {
        var path = Path.Combine(_root, "mine.db");
        File.WriteAllText(path, "x");
        File.SetUnixFileMode(path, Rw | UnixFileMode.GroupRead);

        PrivateFiles.EnsureFile(path);

        Assert.Equal(Rw | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
        Assert.Equal("x", File.ReadAllText(path));
    }

    [Fact]
    public void Tighten_LooseFile_Becomes0600_MissingFileIsNoFailure()
    {
        var path = Path.Combine(_root, "state.db-wal");
        File.WriteAllText(path, "x");
        File.SetUnixFileMode(path, Loose);

        PrivateFiles.Tighten(path);
        PrivateFiles.Tighten(Path.Combine(_root, "state.db-shm"));

        Assert.Equal(Rw, File.GetUnixFileMode(path));
        Assert.False(File.Exists(Path.Combine(_root, "state.db-shm")));
    }

    [Fact]
    public void Restrict_MakesEveryDirectory0700_AndEveryFile0600_BelowTheRoot()
    {
        var sub = Directory.CreateDirectory(Path.Combine(_root, "db", "files"), Rwx | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var file = Path.Combine(sub.FullName, "td.binlog");
        File.WriteAllText(file, "x");
        File.SetUnixFileMode(file, Loose);
        File.SetUnixFileMode(_root, (UnixFileMode)0b111_101_101);

        PrivateFiles.Restrict(_root);

        Assert.Equal(Rwx, File.GetUnixFileMode(_root));
        Assert.Equal(Rwx, File.GetUnixFileMode(Path.Combine(_root, "db")));
        Assert.Equal(Rwx, File.GetUnixFileMode(sub.FullName));
        Assert.Equal(Rw, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task Restrict_GoesOn_WhenFilesAreRemovedWhileItRuns()
    {
        // TDLib works in its directory while we tighten it (right after Ready, or when a close was not confirmed in
        // time): a journal, a binlog being rewritten (td.binlog.new renamed) or a WAL removed at close vanishes between
        // the listing and the chmod. That is no failure of the command (an unhandled exception is a stack trace).
        for (var i = 0; i < 20; i++) File.WriteAllText(Path.Combine(_root, $"keep{i}"), "x");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var churn = Task.Run(() =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var path = Path.Combine(_root, $"db.sqlite-journal{n++ % 50}");
                File.WriteAllText(path, "x");
                File.Delete(path);
                var dir = Directory.CreateDirectory(Path.Combine(_root, $"temp{n % 7}"));
                Directory.Delete(dir.FullName);
            }
        });
        try
        {
            while (!stop.IsCancellationRequested) PrivateFiles.Restrict(_root);
        }
        finally
        {
            await stop.CancelAsync();
            await churn;
        }
    }
}
