using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Tgwatch.Sqlite.Database;

/// <summary>Brings a file to its schema's version, in one transaction, or says in one line why it cannot.</summary>
internal static class Migrator
{
    /// <summary>Applies the missing steps; returns the version the file had before.</summary>
    /// <exception cref="SqliteFileException">The file is newer, or belongs to another program or role.</exception>
    public static long Apply(SqliteConnection connection, SqliteSchema schema, string path)
    {
        var (applicationId, version) = ReadHeader(connection, null);
        Check(schema, path, applicationId, version);
        if (version == schema.Version) return version;
        if (version == 0 && applicationId == 0 && HasTables(connection))
            throw new SqliteFileException(path, $"{schema.Role} {path}: holds another program's tables; not a Tgwatch {schema.Role} (choose another file)");

        using var transaction = connection.BeginTransaction(deferred: false);
        // Another process may have migrated while this one waited for the write lock.
        (applicationId, version) = ReadHeader(connection, transaction);
        Check(schema, path, applicationId, version);
        var before = version;
        foreach (var step in schema.Migrations)
        {
            if (step.Version <= version) continue;
            Execute(connection, transaction, step.Sql);
            Execute(connection, transaction, string.Create(CultureInfo.InvariantCulture, $"PRAGMA user_version = {step.Version}"));
            version = step.Version;
        }
        Execute(connection, transaction, string.Create(CultureInfo.InvariantCulture, $"PRAGMA application_id = {schema.ApplicationId}"));
        transaction.Commit();
        return before;
    }

    private static void Check(SqliteSchema schema, string path, long applicationId, long version)
    {
        if (applicationId != 0 && applicationId != schema.ApplicationId)
            throw new SqliteFileException(path, $"{schema.Role} {path}: not a Tgwatch {schema.Role} (application_id {applicationId}); choose another file");
        if (version > schema.Version)
            throw new SqliteFileException(path, $"{schema.Role} {path}: schema version {version} is newer than this Tgwatch knows ({schema.Version}); use a newer Tgwatch");
        if (version < 0)
            throw new SqliteFileException(path, $"{schema.Role} {path}: schema version {version} is not a Tgwatch version; choose another file");
    }

    private static (long ApplicationId, long Version) ReadHeader(SqliteConnection connection, SqliteTransaction? transaction) =>
        (Scalar(connection, transaction, "PRAGMA application_id"), Scalar(connection, transaction, "PRAGMA user_version"));

    private static bool HasTables(SqliteConnection connection) =>
        Scalar(connection, null, "SELECT count(*) FROM sqlite_master WHERE type = 'table'") > 0;

    private static long Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
