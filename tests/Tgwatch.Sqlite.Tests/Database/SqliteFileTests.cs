using Microsoft.Data.Sqlite;
using Tgwatch.Sqlite.Database;
using Tgwatch.TestKit;

namespace Tgwatch.Sqlite.Tests.Database;

/// <summary>Opening Tgwatch database files: schema versions, migrations, and files that cannot be used.</summary>
public sealed class SqliteFileTests : IDisposable
{
    private readonly string _dir = Some.TempDirectory("tgwatch-sqlite");

    private static readonly Migration First = new(1, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);");
    private static readonly Migration Second = new(2, "tags", "CREATE TABLE tags (note INTEGER NOT NULL, tag TEXT NOT NULL); ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;");
    private static readonly SqliteSchema V1 = new("test file", 0x54455354, [First]);
    private static readonly SqliteSchema V2 = new("test file", 0x54455354, [First, Second]);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name = "test.db") => Path.Combine(_dir, name);

    [Fact]
    public void Open_EmptyDirectory_CreatesTheFileAtTheLatestVersionInWal()
    {
        using (var connection = SqliteFile.Open(File(), V2, TimeSpan.FromSeconds(1)))
        {
            Assert.Equal(2, Make.Scalar(connection, "PRAGMA user_version"));
            Assert.Equal(0x54455354, Make.Scalar(connection, "PRAGMA application_id"));
            Assert.Equal("wal", Make.Text(connection, "PRAGMA journal_mode"));
            Assert.Equal(1, Make.Scalar(connection, "PRAGMA synchronous")); // NORMAL
            Assert.Equal(1000, Make.Scalar(connection, "PRAGMA busy_timeout"));
            Assert.Equal(0, Make.Scalar(connection, "SELECT count(pinned) FROM notes"));
        }
    }

    [Fact]
    public void Open_AnEmptyFileMadeByTheUser_IsMigrated()
    {
        System.IO.File.WriteAllBytes(File(), []);
        using var connection = SqliteFile.Open(File(), V1, TimeSpan.Zero);
        Assert.Equal(1, Make.Scalar(connection, "PRAGMA user_version"));
    }

    [Fact]
    public void Open_Twice_IsIdempotentAndKeepsData()
    {
        using (var connection = SqliteFile.Open(File(), V2, TimeSpan.Zero))
        {
            Exec(connection, "INSERT INTO notes (body) VALUES ('kept')");
        }
        using (var connection = SqliteFile.Open(File(), V2, TimeSpan.Zero))
        {
            Assert.Equal(2, Make.Scalar(connection, "PRAGMA user_version"));
            Assert.Equal("kept", Make.Text(connection, "SELECT body FROM notes"));
        }
    }

    [Fact]
    public void Open_OlderVersion_AppliesOnlyTheMissingStepsAndKeepsData()
    {
        using (var connection = SqliteFile.Open(File(), V1, TimeSpan.Zero))
        {
            Exec(connection, "INSERT INTO notes (body) VALUES ('from v1')");
        }
        using (var connection = SqliteFile.Open(File(), V2, TimeSpan.Zero))
        {
            Assert.Equal(2, Make.Scalar(connection, "PRAGMA user_version"));
            Assert.Equal("from v1", Make.Text(connection, "SELECT body FROM notes WHERE pinned = 0"));
            Assert.Equal(0, Make.Scalar(connection, "SELECT count(*) FROM tags"));
        }
    }

    [Fact]
    public void Open_FailingStep_RollsBackEveryStep()
    {
        var broken = new SqliteSchema("test file", 0x54455354, [First, new Migration(2, "broken", "CREATE TABLE half (x); SELECT * FROM no_such_table;")]);
        Assert.Throws<SqliteFileException>(() => SqliteFile.Open(File(), broken, TimeSpan.Zero));
        using var raw = TempStore.RawConnection(File());
        Assert.Equal(0, Make.Scalar(raw, "PRAGMA user_version"));
        Assert.Equal(0, Make.Scalar(raw, "PRAGMA application_id"));
        Assert.Equal(0, Make.Scalar(raw, "SELECT count(*) FROM sqlite_master"));
    }

    [Fact]
    public void Open_NewerVersion_IsOneClearLine()
    {
        SqliteFile.Open(File(), V2, TimeSpan.Zero).Dispose();
        var e = Assert.Throws<SqliteFileException>(() => SqliteFile.Open(File(), V1, TimeSpan.Zero));
        AssertOneLine(e);
        Assert.Equal($"test file {File()}: schema version 2 is newer than this Tgwatch knows (1); use a newer Tgwatch", e.Message);
        using var raw = TempStore.RawConnection(File());
        Assert.Equal(2, Make.Scalar(raw, "PRAGMA user_version"));
    }

    [Theory]
    [InlineData("text")]
    [InlineData("random")]
    public void Open_NotADatabase_IsOneClearLineAndLeavesTheFileAlone(string content)
    {
        var bytes = content == "text"
            ? System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("my notes, not a database\n", 400)))
            : new Random(7).GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 16384);
        System.IO.File.WriteAllBytes(File(), bytes);
        var e = Assert.Throws<SqliteFileException>(() => SqliteFile.Open(File(), V1, TimeSpan.Zero));
        AssertOneLine(e);
        Assert.Equal($"test file {File()}: not an SQLite database (or encrypted); choose another file", e.Message);
        Assert.IsType<SqliteException>(e.InnerException);
        Assert.Equal(bytes, System.IO.File.ReadAllBytes(File()));
    }

    [Fact]
    public void Open_CorruptSchemaPage_IsOneClearLine()
    {
        using (var connection = SqliteFile.Open(File(), V2, TimeSpan.Zero))
        {
            Exec(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
        using (var stream = new FileStream(File(), FileMode.Open, FileAccess.Write))
        {
            stream.Position = 100; // past the header: the schema table's page
            stream.Write(Enumerable.Repeat((byte)0xA5, 3000).ToArray());
        }
        var e = Assert.Throws<SqliteFileException>(() => SqliteFile.Open(File(), V2, TimeSpan.Zero));
        AssertOneLine(e);
        Assert.StartsWith($"test file {File()}: ", e.Message);
        Assert.Contains("corrupt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_AnotherProgramsDatabase_IsRefusedAndLeftAlone()
    {
        using (var raw = TempStore.RawConnection(File()))
        {
            Exec(raw, "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('alice');");
        }
        var e = Assert.Throws<SqliteFileException>(() => SqliteFile.Open(File(), V1, TimeSpan.Zero));
        AssertOneLine(e);
        Assert.Contains("another program's tables", e.Message, StringComparison.Ordinal);
        using var after = TempStore.RawConnection(File());
        Assert.Equal(0, Make.Scalar(after, "PRAGMA user_version"));
        Assert.Equal(1, Make.Scalar(after, "SELECT count(*) FROM sqlite_master"));
    }

    [Fact]
    public void Open_AFileOfAnotherRole_IsRefused()
    {
        SqliteFile.Open(File(), V1, TimeSpan.Zero).Dispose();
        var other = new SqliteSchema("other file", 0x4F544852, [First]);
        var e = Assert.Throws<SqliteFileException>(() => SqliteFile.Open(File(), other, TimeSpan.Zero));
        AssertOneLine(e);
        Assert.Equal($"other file {File()}: not a Tgwatch other file (application_id {0x54455354}); choose another file", e.Message);
    }

    [Fact]
    public void Open_UnderAFile_CannotCreateAndSaysSo()
    {
        System.IO.File.WriteAllText(File("plain"), "x");
        var path = Path.Combine(File("plain"), "sub", "test.db");
        var e = Assert.Throws<SqliteFileException>(() => SqliteFile.Open(path, V1, TimeSpan.Zero));
        AssertOneLine(e);
        Assert.StartsWith($"test file {path}: cannot create it: ", e.Message);
    }

    [Fact]
    public void Schema_VersionsMustCountFromOne() =>
        Assert.Throws<ArgumentException>(() => new SqliteSchema("x", 1, [Second]));

    internal static void AssertOneLine(Exception e)
    {
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        Assert.DoesNotContain("   at ", e.Message, StringComparison.Ordinal);
    }

    private static void Exec(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
