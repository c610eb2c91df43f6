using Microsoft.Data.Sqlite;
namespace Tgwatch.Sqlite.Database;

/// <summary>One step of a schema: the SQL that takes the database from version <c>Version - 1</c> to <paramref name="Version"/>.</summary>
/// <param name="Version">The version this step reaches (1 for the first).</param>
/// <param name="Description">What the step changes.</param>
/// <param name="Sql">The statements, run in the migration's transaction.</param>
public sealed record Migration(int Version, string Description, string Sql);

/// <summary>
/// What a Tgwatch database file holds: its role (for messages), an <c>application_id</c> that tells
/// Tgwatch's files apart from each other and from other programs' files, and the ordered migrations
/// whose last version is the one this code writes (<c>PRAGMA user_version</c>).
/// </summary>
public sealed class SqliteSchema
{
    /// <summary>Creates a schema.</summary>
    /// <param name="role">What the file is, for messages: <c>state store</c>, <c>sqlite sink</c>.</param>
    /// <param name="applicationId">The file's <c>PRAGMA application_id</c> (not 0).</param>
    /// <param name="migrations">Steps with versions 1, 2, 3… in order.</param>
    /// <exception cref="ArgumentException">Versions are not 1, 2, 3… or the id is 0.</exception>
    public SqliteSchema(string role, int applicationId, IReadOnlyList<Migration> migrations)
    {
        ArgumentException.ThrowIfNullOrEmpty(role);
        ArgumentNullException.ThrowIfNull(migrations);
        if (applicationId == 0) throw new ArgumentException("application_id 0 means 'none'", nameof(applicationId));
        if (migrations.Count == 0) throw new ArgumentException("a schema needs at least one migration", nameof(migrations));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
                throw new ArgumentException($"migration {i} has version {migrations[i].Version}, expected {i + 1}", nameof(migrations));
        }
        Role = role;
        ApplicationId = applicationId;
        Migrations = migrations;
    }

    /// <summary>What the file is, for messages.</summary>
    public string Role { get; }

    /// <summary>The file's <c>PRAGMA application_id</c>.</summary>
    public int ApplicationId { get; }

    /// <summary>The steps, in version order.</summary>
    public IReadOnlyList<Migration> Migrations { get; }

    /// <summary>The version this code writes.</summary>
    public int Version => Migrations[^1].Version;

    /// <summary>Registers the functions its migrations call on a connection (before they run), or null.</summary>
    public Action<SqliteConnection>? Functions { get; init; }
}
