using Tgwatch.Bench;

namespace Tgwatch.Bench.Tests;

/// <summary><c>bench export</c> run small: both sides write every record once, and the export reads the history in TDLib's short pages.</summary>
public sealed class ExportThroughputTests
{
    [Fact]
    public async Task ASmallExport_AndThePipelineAlone_WriteEveryRecordOnce_TheExportInShortPages()
    {
        const int Messages = 1_500;
        const int PageCap = 37;

        var r = await ExportThroughput.MeasureAsync(Messages, rounds: 2, PageCap);

        Assert.Equal(2, r.Export.Count);
        Assert.Equal(2, r.Pipeline.Count);
        Assert.All(r.Export.Concat(r.Pipeline), run =>
        {
            Assert.Equal(Messages, run.Lines);
            Assert.Equal(Messages, run.DistinctIds);
            Assert.Equal(Messages - 1, run.LastId - run.FirstId);
            Assert.True(run.Elapsed > TimeSpan.Zero && run.Cpu > TimeSpan.Zero && run.Allocated > 0, $"{run.Kind}: nothing measured");
        });
        // The history's server ids are 1..N; no page longer than TDLib gave, so at least N / 37 calls.
        Assert.All(r.Export, run => Assert.Equal((1, Messages), (run.FirstId, run.LastId)));
        Assert.All(r.Export, run => Assert.InRange(run.HistoryCalls, Messages / PageCap, Messages / PageCap * 3));
    }
}
