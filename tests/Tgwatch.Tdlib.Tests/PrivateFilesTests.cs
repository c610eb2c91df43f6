namespace Tgwatch.Tdlib.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateFilesTests
{
    [Fact]
    public void Restrict_makes_every_directory_0700_and_every_file_0600_below_the_root()
    {
        var root = TestHost.TempDir();
        var sub = Directory.CreateDirectory(Path.Combine(root, "db", "files"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var file = Path.Combine(sub.FullName, "td.binlog");
        File.WriteAllText(file, "x");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);

        PrivateFiles.Restrict(root);

        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(root));
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(Path.Combine(root, "db")));
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(sub.FullName));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task Restrict_goes_on_when_TDLib_removes_a_file_while_it_runs()
    {
        // TDLib works in its directory while we tighten it (right after Ready, or when a close was not confirmed in
        // time): a journal, a binlog being rewritten (td.binlog.new renamed) or a WAL removed at close vanishes between
        // the listing and the chmod. That is no failure of the command (an unhandled exception is a stack trace).
        var root = TestHost.TempDir();
        for (var i = 0; i < 20; i++) File.WriteAllText(Path.Combine(root, $"keep{i}"), "x");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var churn = Task.Run(() =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var path = Path.Combine(root, $"db.sqlite-journal{n++ % 50}");
                File.WriteAllText(path, "x");
                File.Delete(path);
                var dir = Directory.CreateDirectory(Path.Combine(root, $"temp{n % 7}"));
                Directory.Delete(dir.FullName);
            }
        });
        try
        {
            while (!stop.IsCancellationRequested) PrivateFiles.Restrict(root);
        }
        finally
        {
            await stop.CancelAsync();
            await churn;
        }
    }
}
