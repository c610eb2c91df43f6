using Tgwatch.Messages;
using Tgwatch.Sinks.Telegram;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Telegram;

/// <summary>What an alert says: the chat, the sender, markers, the text within Telegram's limit, a link for a public chat.</summary>
public sealed class AlertTextTests
{
    private static TgMessage Public(string? text) => SomeMessage.New(42, text) with
    {
        Chat = new ChatInfo(-1001234567890, "supergroup", "Price watch", "pricewatch"),
        Sender = new SenderInfo(5, "Eve Adams", "eve"),
    };

    [Fact]
    public void APublicChatsMessage_HasTitleSenderTextAndTheLinkToTheOriginal()
    {
        Assert.Equal("Price watch (@pricewatch)\nEve Adams (@eve)\nbuy at 42\nhttps://t.me/pricewatch/42", AlertText.Format(Public("buy at 42")));
    }

    [Fact]
    public void APrivateChatsMessage_HasNoLink()
    {
        var m = SomeMessage.New(7, "hi") with { Chat = new ChatInfo(-100555, "supergroup", "Team"), Sender = new SenderInfo(5, "Eve") };
        Assert.Equal("Team\nEve\nhi", AlertText.Format(m));
    }

    [Fact]
    public void MarkupCharacters_AreSentAsTheyAre()
    {
        const string text = "<b>bold</b> *star* _under_ [x](https://evil.example) `code` &amp;";
        Assert.Contains("\n" + text + "\n", AlertText.Format(Public(text)));
    }

    [Fact]
    public void EditsAndDeletions_SayWhatTheyAre_AndADeletionHasNoLink()
    {
        Assert.Contains("\nedited: new price\n", AlertText.Format(Public("new price") with { Kind = MessageKind.Edit, EditDate = SomeMessage.Date.AddMinutes(1) }));
        var deleted = AlertText.Format(Public(null) with { Kind = MessageKind.Delete });
        Assert.EndsWith("\ndeleted", deleted);
        Assert.DoesNotContain("https://", deleted);
    }

    [Fact]
    public void MediaAndReplies_HaveTheirMarkers()
    {
        var m = Public(null) with
        {
            Media = new MediaInfo("photo", "look"),
            ReplyTo = new ReplyRef(-1001234567890, 41, ReplyState.Resolved, "what is\nthe price?"),
        };
        Assert.Equal("Price watch (@pricewatch)\nEve Adams (@eve)\n↩ reply to \"what is the price?\"\n[photo] look\nhttps://t.me/pricewatch/42", AlertText.Format(m));
        var unresolved = Public("yes") with { ReplyTo = new ReplyRef(-1001234567890, 41, ReplyState.Unresolved) };
        Assert.Contains("\n↩ reply to message 41\n", AlertText.Format(unresolved));
    }

    [Fact]
    public void ALongTextOfEmoji_IsCutWithinTelegramsLimit_BetweenWholeEmoji()
    {
        const string thumb = "👍🏽"; // 4 UTF-16 code units, one character as people see it
        var alert = AlertText.Format(Public(string.Concat(Enumerable.Repeat(thumb + "ü", 2000))));

        Assert.True(alert.Length <= AlertText.MaxLength, $"{alert.Length} UTF-16 code units");
        Assert.True(alert.Length >= AlertText.MaxLength - thumb.Length, "the text fills what the limit leaves");
        Assert.EndsWith("…\nhttps://t.me/pricewatch/42", alert);
        var body = alert.Split('\n')[2];
        Assert.Matches(@"^(👍🏽ü)*(👍🏽)?…$", body);
    }

    [Fact]
    public void ATextAtTheLimit_IsNotCut_OneOverItIs()
    {
        var head = "Price watch (@pricewatch)\nEve Adams (@eve)\n".Length + "\nhttps://t.me/pricewatch/42".Length;
        var fits = new string('a', AlertText.MaxLength - head);
        Assert.Equal(AlertText.MaxLength, AlertText.Format(Public(fits)).Length);
        Assert.DoesNotContain("…", AlertText.Format(Public(fits)));
        var over = AlertText.Format(Public(fits + "b"));
        Assert.Equal(AlertText.MaxLength, over.Length);
        Assert.Contains("a…\n", over);
    }
}
