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
}
