using Tgwatch.Messages;

namespace Tgwatch.TestKit;

/// <summary>Builders of <see cref="TgMessage"/> values for tests.</summary>
public static class SomeMessage
{
    /// <summary>A fixed date, whole seconds, UTC.</summary>
    public static DateTimeOffset Date { get; } = new(2025, 3, 14, 9, 26, 53, TimeSpan.Zero);

    /// <summary>A new text message in a supergroup.</summary>
    public static TgMessage New(long messageId, string? text = "hello", long chatId = -1001234567890, string account = "bot42") => new()
    {
        Account = account,
        Connector = "botapi",
        Chat = new ChatInfo(chatId, "supergroup", "Test chat", "testchat"),
        MessageId = messageId,
        Date = Date.AddSeconds(messageId),
        Sender = new SenderInfo(1001, "Ada Lovelace", "ada"),
        Text = text,
    };

    /// <summary>An edit of <see cref="New"/>'s message, edited <paramref name="secondsLater"/> after it was sent.</summary>
    public static TgMessage Edit(long messageId, string? text = "hello (edited)", int secondsLater = 60, long chatId = -1001234567890) =>
        New(messageId, text, chatId) with { Kind = MessageKind.Edit, EditDate = Date.AddSeconds(messageId + secondsLater) };

    /// <summary>A deletion of a message (no sender, no text).</summary>
    public static TgMessage Delete(long messageId, long chatId = -1001234567890) =>
        New(messageId, null, chatId) with { Kind = MessageKind.Delete, Sender = null };

    /// <summary>A batch of new messages with ids <paramref name="first"/>, <paramref name="first"/>+1, ….</summary>
    public static TgMessage[] Batch(int first, int count, long chatId = -1001234567890) =>
        [.. Enumerable.Range(first, count).Select(i => New(i, $"message {i}", chatId))];
}
