using Tgwatch.Connectors;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.Tests.State;

/// <summary>Each connector's link state, as its run last recorded it, for <c>tgwatch status</c>.</summary>
public sealed class LinkTests
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ALinkRecord_IsReplacedPerConnectorAndAccount_AndSurvivesAReopen()
    {
        await using var t = await TempStore.OpenAsync();
        var start = TempStore.Start;
        await t.Store.RecordLinkAsync(new LinkRecord("user7", "tdlib", ConnectionState.Connecting, "starting", start, start, Every), default);
        await t.Store.RecordLinkAsync(new LinkRecord("bot1", "botapi", ConnectionState.Ready, null, start, start.AddSeconds(1), Every), default);
        var ready = new LinkRecord("user7", "tdlib", ConnectionState.Ready, null, start.AddSeconds(5), start.AddSeconds(5), Every);
        await t.Store.RecordLinkAsync(ready, default);
        var down = new LinkRecord("bot1", "botapi", ConnectionState.Disconnected, "stopped", start.AddSeconds(9), start.AddSeconds(40), TimeSpan.FromMilliseconds(1500), Ended: true);
        await t.Store.RecordLinkAsync(down, default);

        await t.ReopenAsync();

        Assert.Equal([down, ready], (await t.Store.GetStatusAsync(default)).Links);
    }

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
