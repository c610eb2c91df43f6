using Tgwatch.Tdlib.Updates;
using static Tgwatch.Tdlib.Tests.Updates.Fixture;

namespace Tgwatch.Tdlib.Tests.Updates;

public sealed class TdUpdateStatsTests
{
    [Fact]
    public void Types_beyond_the_limit_are_counted_together_as_other()
    {
        var reader = new TdUpdateReader("user777");
        for (var i = 0; i < TdUpdateStats.MaxOtherTypes + 10; i++)
            for (var n = 0; n <= i % 3; n++)
                Assert.Equal(new TdOtherUpdate($"updateKind{i}"), reader.Read(Parse($$"""{"@type":"updateKind{{i}}"}""")));
        var types = reader.Stats.OtherTypes();
        Assert.Equal(TdUpdateStats.MaxOtherTypes + 1, types.Count);
        Assert.Equal(1, types["updateKind0"]);
        Assert.Equal(3, types["updateKind2"]);
        Assert.False(types.ContainsKey($"updateKind{TdUpdateStats.MaxOtherTypes}"));
        var beyond = Enumerable.Range(TdUpdateStats.MaxOtherTypes, 10).Sum(i => i % 3 + 1);
        Assert.Equal(beyond, types[TdUpdateStats.OtherTypesName]);
        Assert.Equal(types.Values.Sum(), reader.Stats.Count(TdEventKind.Other));
        Assert.Equal(reader.Stats.Total, reader.Stats.Count(TdEventKind.Other));
    }

    [Fact]
    public void Counts_start_at_zero()
    {
        var stats = new TdUpdateStats();
        Assert.All(Enum.GetValues<TdEventKind>(), k => Assert.Equal(0, stats.Count(k)));
        Assert.Equal((0L, 0L, 0L), (stats.Total, stats.Malformed, stats.MalformedMessages));
        Assert.Empty(stats.OtherTypes());
    }

    [Fact]
    public void Every_event_has_its_kind()
    {
        Assert.Equal(TdEventKind.Malformed, TdUpdateReader.KindOf(new TdMalformedUpdate(null, "x")));
        Assert.Equal(TdEventKind.ConnectionChanged, TdUpdateReader.KindOf(new TdConnectionChanged(TdConnectionState.Ready)));
        Assert.Equal(TdEventKind.Other, TdUpdateReader.KindOf(new TdOtherUpdate("x")));
    }
}
