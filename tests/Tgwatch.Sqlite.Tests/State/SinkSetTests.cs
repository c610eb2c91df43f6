using Tgwatch.TestKit;

namespace Tgwatch.Sqlite.Tests.State;

/// <summary>Which sinks have each processed key, in a file written before the store told sinks apart.</summary>
public sealed class SinkSetTests
{
    [Fact]
    public async Task KeysOfAStoreOfTheVersionBefore_AreHadByEverySink()
    {
        await using var t = await TempStore.OpenAsync();
        var messages = Make.Messages(5, 1, 3);
        await t.Store.CommitAsync(Make.Commit(TempStore.Start, messages), default);
        await t.Store.DisposeAsync();
        using (var raw = t.Raw())
        {
            Make.Scalar(raw, "DROP TABLE pending_downloads");
            Make.Scalar(raw, "DROP TABLE sinks");
            Make.Scalar(raw, "ALTER TABLE processed DROP COLUMN sinks");
            Make.Scalar(raw, "PRAGMA user_version = 3");
        }

        await t.ReopenAsync();

        var found = await t.Store.FindProcessedAsync(Make.Keys(messages), ["jsonl:/x", "sqlite:/y"], default);
        Assert.Equal(3, found.Count);
        Assert.All(found.Values, Assert.Empty);
        using var check = t.Raw();
        Assert.Equal(SqliteStateStore.SchemaVersion, Make.Scalar(check, "PRAGMA user_version"));
    }
}
