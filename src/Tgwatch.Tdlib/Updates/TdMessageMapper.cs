using Tgwatch.Messages;
using Tgwatch.Tdlib.Objects;

namespace Tgwatch.Tdlib.Updates;

/// <summary>
/// Maps a TDLib <c>message</c> to the model, with chats and senders from the directory, so that a message
/// both connectors see gives the same record (a reply stays unresolved: the connector resolves it).
/// </summary>
internal sealed class TdMessageMapper(string account, TdDirectory directory)
{
    /// <summary>The connector name written into records.</summary>
    public const string ConnectorName = "tdlib";

    public TdMappedMessage Map(TdMessage m, MessageKind kind)
    {
        var (text, media) = ContentOf(m.Content);
        var reply = m.ReplyTo is TdMessageReplyToMessage r && r.MessageId != 0
            ? new MessageRef(r.ChatId != 0 ? r.ChatId : m.ChatId, TdMessageIds.ToServerId(r.MessageId))
            : (MessageRef?)null;
        var message = new TgMessage
        {
            Account = account,
            Connector = ConnectorName,
            Chat = directory.Chat(m.ChatId),
            MessageId = TdMessageIds.ToServerId(m.Id),
            Kind = kind,
            Date = Utc(m.Date),
            EditDate = kind == MessageKind.Edit && m.EditDate != 0 ? Utc(m.EditDate) : null,
            Sender = m.SenderId switch
            {
                TdMessageSenderUser u => directory.User(u.UserId),
                TdMessageSenderChat c => directory.ChatAsSender(c.ChatId),
                _ => null,
            },
            Text = text,
            Media = media,
            ReplyTo = reply is { } to ? new ReplyRef(to.ChatId, to.MessageId, ReplyState.Unresolved) : null,
            Forward = m.ForwardInfo is { } f ? ForwardOf(f) : null,
        };
        var isServer = m.SendingState is null && m.SchedulingState is null && TdMessageIds.IsServerId(m.Id);
        return new TdMappedMessage(m.ChatId, m.Id, message, reply, isServer);
    }

    public TgMessage Deleted(long chatId, long tdMessageId, DateTimeOffset when) => new()
    {
        Account = account,
        Connector = ConnectorName,
        Chat = directory.Chat(chatId),
        MessageId = TdMessageIds.ToServerId(tdMessageId),
        Kind = MessageKind.Delete,
        Date = when,
    };

    private ForwardInfo? ForwardOf(TdMessageForwardInfo f) => f.Origin switch
    {
        TdMessageOriginUser u => new ForwardInfo("user", u.SenderUserId, directory.User(u.SenderUserId).Name, Utc(f.Date)),
        TdMessageOriginHiddenUser h => new ForwardInfo("hidden_user", null, h.SenderName, Utc(f.Date)),
        TdMessageOriginChat c => new ForwardInfo("chat", c.SenderChatId, directory.Chat(c.SenderChatId).Title, Utc(f.Date)),
        TdMessageOriginChannel ch => new ForwardInfo("channel", ch.ChatId, directory.Chat(ch.ChatId).Title, Utc(f.Date),
            TdMessageIds.ToServerId(ch.MessageId)),
        _ => null,
    };

    /// <summary>Text and media of a content, with the media type names of the Bot API connector; a text or caption over
    /// <see cref="MessageText.MaxChars"/> is kept cut, with a marker.</summary>
    internal static (string? Text, MediaInfo? Media) ContentOf(TdMessageContent content) => content switch
    {
        TdMessageText t => (MessageText.Bound(NullIfEmpty(t.Text)), null),
        TdMessageAnimatedEmoji e => (NullIfEmpty(e.Emoji), null),
        TdMediaContent m => (null, new MediaInfo(m.MediaType, MessageText.Bound(NullIfEmpty(m.Caption))) { File = FileOf(m) }),
        _ => (null, new MediaInfo("other")),
    };

    private static DateTimeOffset Utc(int unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds);

    private static MediaFile? FileOf(TdMediaContent m) =>
        m.File is { } f
            ? new MediaFile(f.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), f.UniqueId, f.Size > 0 ? f.Size : null, MediaFile.ExtensionFor(m.MediaType, f.FileName))
            : null;

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
