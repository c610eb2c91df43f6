using Tgwatch.Messages;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>Edits are keyed by their content as well as their second: two edits of one second are two records.</summary>
public sealed class EditKeyTests
{
    [Fact]
    public async Task TwoEditsOfOneMessageWithinOneSecond_AreBothWritten_AndTheSameEditTwiceIsWrittenOnce()
    {
        var first = SomeMessage.Edit(5, "typo");
        var second = first with { Text = "typo fixed" }; // the same edit_date (whole seconds), other content
        var sink = new CollectingSink();
        var pipeline = PipelineFixture.Create(ScriptedConnector.Of([SomeMessage.New(5), first, second, second, first]), [sink], new InMemoryStateStore());

        await pipeline.RunToEndAsync();

        Assert.Equal(["hello", "typo", "typo fixed"], sink.Writes.Select(m => m.Text));
        Assert.Equal(2, pipeline.Stats.Duplicates);
    }

    [Fact]
    public void AnEditsKey_HoldsItsSecondAndAHashOfItsContent_NotWhatMayDifferBetweenDeliveries()
    {
        var edit = SomeMessage.Edit(5, "hello (edited)");
        var second = edit.EditDate!.Value.ToUnixTimeSeconds();
        Assert.Matches($"^bot42:-1001234567890:5:edit:{second}:[0-9a-f]{{8}}$", edit.Key);
        // The same content read again (another sender name, the reply resolved this time) is the same edit.
        Assert.Equal(edit.Key, (edit with { Sender = new SenderInfo(9, "Renamed"), ReplyTo = new ReplyRef(1, 2, ReplyState.Resolved, "x") }).Key);
        Assert.NotEqual(edit.Key, (edit with { Text = "hello (edited again)" }).Key);
        Assert.NotEqual(edit.Key, (edit with { Media = new MediaInfo("photo", "hello (edited)") }).Key);
        Assert.NotEqual(edit.Key, (edit with { Text = null, Media = new MediaInfo("photo", "hello (edited)") }).Key);
        Assert.Equal(edit.Key + ":reply", (edit with { IsReplyUpdate = true }).Key);
        // New messages and deletions keep the key they had.
        Assert.Equal("bot42:-1001234567890:5:new:", SomeMessage.New(5).Key);
        Assert.Equal("bot42:-1001234567890:5:delete:", SomeMessage.Delete(5).Key);
    }
}
