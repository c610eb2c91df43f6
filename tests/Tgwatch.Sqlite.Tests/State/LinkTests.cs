using Tgwatch.Connectors;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.Tests.State;

/// <summary>Each connector's link state, as its run last recorded it, for <c>tgwatch status</c>.</summary>
public sealed class LinkTests
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AStateThisVersionDoesNotKnow_ReadsAsConnectingWithItsNameAsTheReason()
    {
        await using var t = await TempStore.OpenAsync();
        await t.Store.RecordLinkAsync(new LinkRecord("bot1", "botapi", ConnectionState.Ready, null, TempStore.Start, TempStore.Start, Every), default);
        using (var raw = t.Raw()) Make.Scalar(raw, "UPDATE links SET state = 'paused-by-server'");

        var link = Assert.Single((await t.Store.GetStatusAsync(default)).Links);

        Assert.Equal((ConnectionState.Connecting, "paused-by-server"), (link.State, link.Reason));
    }

    [Fact]
    public async Task AStoreOfTheVersionBefore_IsMigrated_KeepingItsData()
    {
        await using var t = await TempStore.OpenAsync();
        await t.Store.CommitAsync(Make.Commit(TempStore.Start, Make.Messages(5, 1, 3), new Checkpoint("updates", 42)), default);
        await t.Store.DisposeAsync();
        using (var raw = t.Raw())
        {
            Make.Scalar(raw, "DROP TABLE pending_downloads");
            Make.Scalar(raw, "DROP TABLE links");
            Make.Scalar(raw, "DROP TABLE sinks");
            Make.Scalar(raw, "ALTER TABLE processed DROP COLUMN sinks");
            Make.Scalar(raw, "PRAGMA user_version = 2");
        }

        await t.ReopenAsync();
        await t.Store.RecordLinkAsync(new LinkRecord("bot1", "botapi", ConnectionState.Ready, null, TempStore.Start, TempStore.Start, Every), default);

        var status = await t.Store.GetStatusAsync(default);
        Assert.Equal((3L, 42L), (status.Processed, status.Checkpoints.Single().Position));
        Assert.Single(status.Links);
        using var check = t.Raw();
        Assert.Equal(SqliteStateStore.SchemaVersion, Make.Scalar(check, "PRAGMA user_version"));
    }
}
