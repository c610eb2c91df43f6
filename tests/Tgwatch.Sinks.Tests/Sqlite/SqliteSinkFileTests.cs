using System.Runtime.Versioning;
using Tgwatch.Sinks.Sqlite;
using Tgwatch.Sqlite;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Sqlite;

/// <summary>The sink's file: private modes, a versioned schema, clear errors.</summary>
public sealed class SqliteSinkFileTests
{
    [UnixFact]
    [UnsupportedOSPlatform("windows")]
    public async Task NewFile_Is0600_WithSideFiles0600_InANewDirectory0700()
    {
        await using var t = new TempSink(Path.Combine("out", "messages.db"));
        await t.WriteAsync(Msg.New(1, 1));
        var rw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(rw, File.GetUnixFileMode(t.Path));
        Assert.Equal(rw, File.GetUnixFileMode(t.Path + "-wal"));
        Assert.Equal(rw, File.GetUnixFileMode(t.Path + "-shm"));
        Assert.Equal(rw | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(t.Path)!));
    }

    [Fact]
    public async Task Start_CreatesTheSchemaInWal()
    {
        await using var t = new TempSink();
        await t.Sink.StartAsync(default);
        Assert.Equal(SqliteMessageSink.SchemaVersion, t.Scalar("PRAGMA user_version"));
        Assert.Equal(0, t.Scalar("SELECT count(*) FROM messages"));
        using var connection = t.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public async Task NewerSchema_StartFailsWithOneLine()
    {
        await using var t = new TempSink();
        await t.Sink.StartAsync(default);
        await t.Sink.DisposeAsync();
        t.Scalar("PRAGMA user_version = 9");
        await using var again = new SqliteMessageSink(t.Path);
        var e = await Assert.ThrowsAsync<SqliteFileException>(async () => await again.StartAsync(default));
        Assert.Equal($"sqlite sink {t.Path}: schema version 9 is newer than this Tgwatch knows ({SqliteMessageSink.SchemaVersion}); use a newer Tgwatch", e.Message);
    }

    [Fact]
    public async Task TheStateStoreFile_IsRefusedAsASink()
    {
        var dir = Some.TempDirectory("tgwatch-sqlite-sink");
        var path = Path.Combine(dir, "tgwatch.db");
        await (await SqliteStateStore.OpenAsync(path, TimeProvider.System, default)).DisposeAsync();
        await using var sink = new SqliteMessageSink(path);
        var e = await Assert.ThrowsAsync<SqliteFileException>(async () => await sink.StartAsync(default));
        Assert.StartsWith($"sqlite sink {path}: not a Tgwatch sqlite sink", e.Message);
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public async Task GarbageFile_FailsWithOneLine()
    {
        await using var t = new TempSink();
        await File.WriteAllTextAsync(t.Path, "not a database at all\n");
        var e = await Assert.ThrowsAsync<SqliteFileException>(async () => await t.WriteAsync(Msg.New(1, 1)));
        Assert.Equal($"sqlite sink {t.Path}: not an SQLite database (or encrypted); choose another file", e.Message);
    }

    [Fact]
    public async Task ASecondSinkOnTheSameDatabase_IsRefusedWithOneLine()
    {
        await using var t = new TempSink();
        await t.WriteAsync(Msg.New(1, 1));
        await using var second = new SqliteMessageSink(t.Path, name: "sqlite:again");
        var e = await Assert.ThrowsAsync<SqliteFileException>(async () => await second.StartAsync(default));
        Assert.Equal($"sqlite sink {t.Path}: in use by another writer (another tgwatch run or import); one writer per file", e.Message);
        await t.WriteAsync(Msg.New(2, 1));
        Assert.Equal(2, t.Scalar("SELECT count(*) FROM messages"));
    }
}
