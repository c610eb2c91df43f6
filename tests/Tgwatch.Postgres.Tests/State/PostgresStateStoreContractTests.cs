using Tgwatch.Storage;
using Tgwatch.TestKit;
using Tgwatch.TestKit.Contracts;

namespace Tgwatch.Postgres.Tests.State;

/// <summary>The PostgreSQL store keeps every promise of the state store contract, across a reopen of its database too (each test in a database of its own).</summary>
public sealed class PostgresStateStoreContractTests : StateStoreContract
{
    private string? _database;

    protected override bool SupportsReopen => true;

    protected override async Task<IStateStore> CreateAsync(TimeProvider time)
    {
        _database = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("contract");
        return await PostgresStateStore.OpenAsync(_database, time, default);
    }

    protected override async Task<IStateStore> ReopenAsync(TimeProvider time) => await PostgresStateStore.OpenAsync(_database!, time, default);
}
