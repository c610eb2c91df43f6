using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Tests.Updates;

public sealed class TdMessageIdsTests
{
    [Theory]
    [InlineData(1, 1_048_576)]
    [InlineData(70, 73_400_320)] // the reply_to of the fixtures
    [InlineData(77, 80_740_352)]
    public void A_server_id_and_its_tdlib_id_map_to_each_other(long serverId, long tdMessageId)
    {
        Assert.Equal(tdMessageId, TdMessageIds.FromServerId(serverId));
        Assert.Equal(serverId, TdMessageIds.ToServerId(tdMessageId));
        Assert.True(TdMessageIds.IsServerId(tdMessageId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1_048_576)]
    [InlineData(80_740_353)] // a message being sent: above server message 77, below 78
    [InlineData(1)]
    public void A_local_or_empty_id_is_no_server_id(long tdMessageId) => Assert.False(TdMessageIds.IsServerId(tdMessageId));

    [Fact]
    public void A_local_id_maps_to_the_server_message_below_it() => Assert.Equal(77, TdMessageIds.ToServerId(80_740_353));
}
