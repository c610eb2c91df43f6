using Tgwatch.TestKit;

namespace Tgwatch.Sqlite.Tests.State;

/// <summary>Which sinks have each processed key: a sink that does not have a key yet is told so.</summary>
public sealed class SinkSetTests
{
    [Fact]
    public async Task AKey_IsMissingOnlyForTheSinksThatDidNotWriteIt_UntilTheyDo_AcrossAReopen()
    {
        await using var t = await TempStore.OpenAsync();
        var messages = Make.Messages(5, 1, 3).Select(m => m with { Sinks = ["a", "b"] }).ToArray();
        await t.Store.CommitAsync(Make.Commit(TempStore.Start, messages), default);
        var keys = Make.Keys(messages);

        var found = await t.Store.FindProcessedAsync(keys, ["a", "b", "c"], default);
        Assert.All(keys, k => Assert.Equal(["c"], found[k]));

        // "c" writes the first key; a commit again by "a" changes nothing for the others.
        await t.Store.CommitAsync(Make.Commit(TempStore.Start, [messages[0] with { Sinks = ["c"] }, messages[1] with { Sinks = ["a"] }]), default);
        await t.ReopenAsync();
        found = await t.Store.FindProcessedAsync(keys, ["a", "b", "c"], default);
        Assert.Empty(found[keys[0]]);
        Assert.Equal(["c"], found[keys[1]]);
        Assert.Equal(["c"], found[keys[2]]);
        Assert.Equal(3L, (await t.Store.GetStatusAsync(default)).Processed);
    }

    [Fact]
    public async Task KeysOfAStoreOfTheVersionBefore_AreHadByEverySink()
    {
        await using var t = await TempStore.OpenAsync();
        var messages = Make.Messages(5, 1, 3);
        await t.Store.CommitAsync(Make.Commit(TempStore.Start, messages), default);
        await t.Store.DisposeAsync();
        using (var raw = t.Raw())
        {
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
