namespace Tgwatch.Postgres.Database;

/// <summary>One step of a schema: the SQL that takes its tables from version <c>Version - 1</c> to <paramref name="Version"/>.</summary>
/// <param name="Version">The version this step reaches (1 for the first).</param>
/// <param name="Description">What the step changes.</param>
/// <param name="Sql">The statements, run in the migration's transaction.</param>
internal sealed record PgMigration(int Version, string Description, string Sql);

/// <summary>
/// What Tgwatch keeps in a database under one role (the state store's tables, the sink's table): its version is a row of
/// <c>tgwatch_schema</c>, so a state store and a sink may share a database. Add a step to change the tables; never edit
/// a released one.
/// </summary>
internal sealed class PgSchema
{
    public PgSchema(string role, string what, IReadOnlyList<PgMigration> migrations)
    {
        for (var i = 0; i < migrations.Count; i++)
            if (migrations[i].Version != i + 1) throw new ArgumentException($"migration {i} has version {migrations[i].Version}, expected {i + 1}", nameof(migrations));
        if (migrations.Count == 0) throw new ArgumentException("a schema needs at least one migration", nameof(migrations));
        Role = role;
        What = what;
        Migrations = migrations;
    }

    /// <summary>Its row in <c>tgwatch_schema</c>: <c>state</c>, <c>messages</c>.</summary>
    public string Role { get; }

    /// <summary>What it is, for messages: <c>state store</c>, <c>postgres sink</c>.</summary>
    public string What { get; }

    public IReadOnlyList<PgMigration> Migrations { get; }

    /// <summary>The version this code writes.</summary>
    public int Version => Migrations[^1].Version;
}
