namespace Tgwatch.Sqlite.Tests.State;

/// <summary>Two stores on one file (two processes, as <c>tgwatch import</c> beside a run): both write, nothing is lost.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task TwoStoresOnOneFile_BothWrite_NothingIsLost()
    {
        await using var t = await TempStore.OpenAsync();
        await using var second = await SqliteStateStore.OpenAsync(t.Path, t.Time, default);
        var a = Task.Run(async () => { for (var b = 0; b < 30; b++) await t.Store.CommitAsync(Make.Commit(TempStore.Start, Make.Messages(1, b * 50, 50)), default); });
        var c = Task.Run(async () => { for (var b = 0; b < 30; b++) await second.CommitAsync(Make.Commit(TempStore.Start, Make.Messages(2, b * 50, 50)), default); });
        await Task.WhenAll(a, c);
        Assert.Equal(3_000, (await t.Store.GetStatusAsync(default)).Processed);
    }
}
