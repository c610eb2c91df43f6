using Tgwatch.Storage;
using Tgwatch.TestKit;
using Tgwatch.TestKit.Contracts;

namespace Tgwatch.Sqlite.Tests.State;

/// <summary>The SQLite store keeps every promise of the state store contract, across a reopen of its file too.</summary>
public sealed class SqliteStateStoreContractTests : StateStoreContract
{
    private readonly string _directory = Some.TempDirectory("tgwatch-sqlite");

    private string DatabasePath => Path.Combine(_directory, "tgwatch.db");

    protected override bool SupportsReopen => true;

    protected override async Task<IStateStore> CreateAsync(TimeProvider time) => await SqliteStateStore.OpenAsync(DatabasePath, time, default);

    protected override async Task<IStateStore> ReopenAsync(TimeProvider time) => await SqliteStateStore.OpenAsync(DatabasePath, time, default);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { /* best effort */ }
    }
}
