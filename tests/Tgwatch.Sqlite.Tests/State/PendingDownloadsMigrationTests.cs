using Tgwatch.Connectors;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.Tests.State;

public sealed class PendingDownloadsMigrationTests
{
    [Fact]
    public async Task AStoreOfVersion4_IsMigrated_KeepingItsPendingReplies_AndGainsPendingDownloads()
    {
        await using var t = await TempStore.OpenAsync();
        await t.Store.CommitAsync(Make.Commit(TempStore.Start, Make.Messages(5, 1, 3), new Checkpoint("updates", 42)), default);
        await t.Store.PendingReplies.AddAsync(new PendingReply("r", "{}", 0, TempStore.Start, TempStore.Start), default);
        await t.Store.DisposeAsync();
        using (var raw = t.Raw())
        {
            Make.Scalar(raw, "DROP TABLE pending_downloads");
            Make.Scalar(raw, "PRAGMA user_version = 4");
        }

        await t.ReopenAsync();
        await t.Store.PendingDownloads.AddAsync(new PendingReply("d", "{}", 0, TempStore.Start, TempStore.Start), default);

        Assert.Equal(1, await t.Store.PendingReplies.CountAsync(default));
        Assert.Equal(1, await t.Store.PendingDownloads.CountAsync(default));
        using var check = t.Raw();
        Assert.Equal(SqliteStateStore.SchemaVersion, Make.Scalar(check, "PRAGMA user_version"));
    }
}
