using Microsoft.Data.Sqlite;
using Tgwatch.Faults;
using Tgwatch.Sqlite.Database;
using Tgwatch.TestKit;

namespace Tgwatch.Sqlite.Tests.Database;

/// <summary>The commit path's row statements (bound by position, run in the connection's transaction) against a real SQLite file.</summary>
public sealed class PreparedStatementTests : IDisposable
{
    private readonly string _dir = Some.TempDirectory("tgwatch-rows");
    private readonly SqliteConnection _connection;

    public PreparedStatementTests()
    {
        _connection = new SqliteConnection($"Data Source={Path.Combine(_dir, "rows.db")};Pooling=False");
        _connection.Open();
        Execute("CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, n INTEGER NOT NULL, note TEXT)");
    }

    public void Dispose()
    {
        _connection.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Rows_AreWrittenByPosition_TextNumbersAndNull_AndTheChangesCounted()
    {
        using var insert = new PreparedStatement(_connection, "INSERT INTO t (k, n, note) VALUES (?1, ?2, ?3) ON CONFLICT (k) DO NOTHING");
        insert.Bind(2, 42);
        insert.Bind(3, "café ✓");
        insert.Bind(1, "a");
        Assert.Equal(1, insert.Run());
        insert.Bind(1, "b"); // the other bindings stay from row to row
        Assert.Equal(1, insert.Run());
        insert.Bind(1, "a");
        Assert.Equal(0, insert.Run()); // there already: nothing changed
        insert.Bind(1, "c");
        insert.Bind(3, (string?)null);
        Assert.Equal(1, insert.Run());

        Assert.Equal("a|42|café ✓;b|42|café ✓;c|42|NULL", Rows());
    }

    [Fact]
    public void ARowRefused_ThrowsSqlitesOwnException_AndTheStatementRunsAgainAfter()
    {
        using var insert = new PreparedStatement(_connection, "INSERT INTO t (k, n) VALUES (?1, ?2)");
        insert.Bind(1, "a");
        insert.Bind(2, 1);
        insert.Run();

        var refused = Assert.Throws<SqliteException>(() => insert.Run());
        Assert.Equal(19, refused.SqliteErrorCode); // SQLITE_CONSTRAINT
        Assert.Contains("UNIQUE constraint failed: t.k", refused.Message, StringComparison.Ordinal);
        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(refused).Kind);

        insert.Bind(1, "b");
        Assert.Equal(1, insert.Run());
        Assert.Equal("a|1|NULL;b|1|NULL", Rows());
    }

    [Fact]
    public void AFullDatabase_IsAResourceFault_AndTheTransactionIsTheCallersToRollBack()
    {
        Execute("PRAGMA max_page_count = " + Make.Scalar(_connection, "PRAGMA page_count"));
        using var transaction = _connection.BeginTransaction(deferred: false);
        using var insert = new PreparedStatement(_connection, "INSERT INTO t (k, n) VALUES (?1, ?2)");
        insert.Bind(2, 7);
        var full = Assert.Throws<SqliteException>(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                insert.Bind(1, new string('x', 200) + i);
                insert.Run();
            }
        });
        Assert.Equal(13, full.SqliteErrorCode); // SQLITE_FULL
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(full).Kind);
        transaction.Rollback();
        Assert.Equal("", Rows());
    }

    [Fact]
    public void AQuery_CallsBackForEachRow_TextAndNullRead_AndRunsAgainWithNewBindings()
    {
        Execute("INSERT INTO t (k, n, note) VALUES ('a', 1, 'çà ✓'), ('b', 2, NULL), ('c', 3, 'x')");
        using var query = new PreparedStatement(_connection, "SELECT k, note FROM t WHERE n >= ?1 AND k IN (?2, ?3) ORDER BY k");
        var rows = new List<string>();
        query.Bind(1, 1);
        query.Bind(2, "a");
        query.Bind(3, "b");
        query.ForEachRow(rows, static (row, rows) => rows.Add($"{row.Text(0)}={row.Text(1) ?? "NULL"}"));
        Assert.Equal(["a=çà ✓", "b=NULL"], rows);

        rows.Clear();
        query.Bind(1, 3);
        query.Bind(2, "c");
        query.ForEachRow(rows, static (row, rows) => rows.Add($"{row.Text(0)}={row.Text(1) ?? "NULL"}"));
        Assert.Equal(["c=x"], rows);
    }

    [Fact]
    public void AQueryFailingHalfWay_ThrowsSqlitesOwnException_AndRunsAgainAfter()
    {
        Execute("INSERT INTO t (k, n) VALUES ('a', 1), ('b', 0)");
        // 10 / n fails on the second row only when division by zero is an error: made one by a function that throws.
        _connection.CreateFunction("checked_div", (long a, long b) => b == 0 ? throw new DivideByZeroException() : a / b);
        using var query = new PreparedStatement(_connection, "SELECT k, checked_div(10, n) FROM t WHERE n >= ?1 ORDER BY k");
        var rows = new List<string>();
        query.Bind(1, 0);
        var failed = Assert.Throws<SqliteException>(() => query.ForEachRow(rows, static (row, rows) => rows.Add(row.Text(0)!)));
        Assert.Equal(["a"], rows);
        Assert.Contains("Attempted to divide by zero", failed.Message, StringComparison.Ordinal);

        rows.Clear();
        query.Bind(1, 1);
        query.ForEachRow(rows, static (row, rows) => rows.Add(row.Text(0)!));
        Assert.Equal(["a"], rows);
    }

    [Fact]
    public void TextThatIsNotWholeUtf16_IsStoredAsMicrosoftDataSqliteStoresIt_AndTwoSuchKeysStayTwo()
    {
        // A lone surrogate (a key cut in the middle of an emoji) is written as Encoding.UTF8 writes it, as every other
        // statement of the store does: SQLite's own conversion would let a lone high surrogate swallow the next character.
        using var insert = new PreparedStatement(_connection, "INSERT INTO t (k, n) VALUES (?1, ?2)");
        insert.Bind(2, 1);
        foreach (var key in new[] { "a\uD800b", "a\uD800\u0462", "low\uDC00" })
        {
            insert.Bind(1, key);
            Assert.Equal(1, insert.Run());
        }
        using var find = _connection.CreateCommand();
        find.CommandText = "SELECT count(*) FROM t WHERE k = @k";
        find.Parameters.AddWithValue("@k", "low\uDC00");
        Assert.Equal(1L, find.ExecuteScalar());
        Assert.Equal(3L, Make.Scalar(_connection, "SELECT count(DISTINCT k) FROM t"));
    }

    [Fact]
    public void NumbersThatMayBeMissing_AndTextAlreadyInUtf8_AreBoundAsGiven()
    {
        using var insert = new PreparedStatement(_connection, "INSERT INTO t (k, n, note) VALUES (?1, coalesce(?2, -1), ?3)");
        insert.Bind(1, "a");
        insert.Bind(2, (long?)7);
        insert.BindUtf8(3, "{\"text\":\"é ✓\"}"u8);
        insert.Run();
        insert.Bind(1, "b");
        insert.Bind(2, (long?)null);
        insert.BindUtf8(3, ""u8);
        insert.Run();
        Assert.Equal("a|7|{\"text\":\"é ✓\"};b|-1|", Rows());
    }

    [Fact]
    public void AStatementSQLiteCannotCompile_IsRefusedWhenMade()
    {
        var refused = Assert.Throws<SqliteException>(() => new PreparedStatement(_connection, "INSERT INTO nowhere (k) VALUES (?1)"));
        Assert.Contains("no such table: nowhere", refused.Message, StringComparison.Ordinal);
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private string Rows()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT k, n, coalesce(note, 'NULL') FROM t ORDER BY k";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read()) rows.Add($"{reader.GetString(0)}|{reader.GetInt64(1)}|{reader.GetString(2)}");
        return string.Join(';', rows);
    }
}
