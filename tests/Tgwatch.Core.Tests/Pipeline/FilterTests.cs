using Tgwatch.Messages;
using Tgwatch.Pipeline.Filters;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

public sealed class FilterTests
{
    private static readonly TgMessage InNews = SomeMessage.New(1, "Breaking: socket prices up") with { Chat = new ChatInfo(-1001, "channel", "News", "NewsRu") };

    [Theory]
    [InlineData("-1001", true)]
    [InlineData("@newsru", true)]
    [InlineData("@other", false)]
    [InlineData("-1002", false)]
    public void ChatFilter_ByIdOrUsername(string chat, bool kept) => Assert.Equal(kept, new ChatFilter([chat]).Accepts(InNews));

    [Theory]
    [InlineData("news")]
    [InlineData("@")]
    [InlineData("@bad name")]
    [InlineData("")]
    public void ChatFilter_RefusesWhatIsNeitherIdNorUsername(string chat)
    {
        var e = Assert.Throws<ArgumentException>(() => new ChatFilter([chat]));
        Assert.Contains("neither a numeric id nor an @username", e.Message);
    }

    [Fact]
    public void SenderFilter_ByIdOrUsername_AndNoSenderIsNoMatch()
    {
        Assert.True(new SenderFilter(["1001"]).Accepts(InNews));
        Assert.True(new SenderFilter(["@ADA"]).Accepts(InNews));
        Assert.False(new SenderFilter(["@bob"]).Accepts(InNews));
        Assert.False(new SenderFilter(["1001"]).Accepts(InNews with { Sender = null }));
    }

    [Fact]
    public void TextFilter_MatchesTextOrCaption_CaseInsensitive()
    {
        var f = new TextFilter(@"\bprices?\b");
        Assert.True(f.Accepts(InNews));
        Assert.True(f.Accepts(InNews with { Text = null, Media = new MediaInfo("photo", "PRICE list") }));
        Assert.False(f.Accepts(InNews with { Text = "nothing here" }));
        Assert.False(f.Accepts(InNews with { Text = null }));
        Assert.Throws<ArgumentException>(() => new TextFilter("(unclosed"));
    }

    [Fact]
    public void TextFilter_APatternThatBacktracksForever_DoesNotMatchInsteadOfHanging()
    {
        var f = new TextFilter("^(a+)+$");
        Assert.False(f.Accepts(InNews with { Text = new string('a', 40) + "!" }));
    }

    [Fact]
    public void KindFilter_ParsesNames_AndTreatsReplyUpdatesAsEdits()
    {
        var f = KindFilter.Parse(["edit", "DELETE"]);
        Assert.False(f.Accepts(InNews));
        Assert.True(f.Accepts(InNews with { Kind = MessageKind.Edit }));
        Assert.True(f.Accepts(InNews with { IsReplyUpdate = true }));
        Assert.Throws<ArgumentException>(() => KindFilter.Parse(["old"]));
    }
}
