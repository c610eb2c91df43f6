using Microsoft.Extensions.Logging;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
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

    // A pattern that backtracks without end in a backtracking engine is answered, right, in linear time.
    [Fact]
    public void TextFilter_APatternThatWouldBacktrackForever_IsAnsweredRight()
    {
        var f = new TextFilter("^(a+)+$");
        Assert.False(f.Accepts(InNews with { Text = new string('a', 5_000) + "!" }));
        Assert.True(f.Accepts(InNews with { Text = new string('a', 5_000) }));
    }

    // A lookahead needs the backtracking engine, bounded in time: when a match runs out of it, the message is kept, said
    // once per message; a pattern that cannot decide never drops a message.
    [Fact]
    public async Task TextFilter_AMatchThatRunsOutOfTime_KeepsTheMessage_Loudly()
    {
        var f = new TextFilter("^(?=(a+)+$)a");
        var evil = InNews with { Text = new string('a', 40) + "!" };
        Assert.Throws<System.Text.RegularExpressions.RegexMatchTimeoutException>(() => f.Accepts(evil));
        Assert.True(f.Accepts(InNews with { Text = "aaa" }));

        var logs = new CollectingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var sink = new CollectingSink();
        var connector = ScriptedConnector.Of([evil with { MessageId = 1 }, InNews with { MessageId = 2, Text = "no" }, InNews with { MessageId = 3, Text = "aa" }]);
        var pipeline = new MessagePipeline(connector, [sink], new InMemoryStateStore(), PipelineFixture.FastOptions(), [f], logger: factory.CreateLogger("Tgwatch.Pipeline"));
        await pipeline.RunToEndAsync();

        Assert.Equal([1L, 3L], sink.Writes.Select(m => m.MessageId).Order());
        var failed = Assert.Single(logs.Entries, e => e.EventId.Id == 3014);
        Assert.Contains("the message is kept", failed.Message);
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
