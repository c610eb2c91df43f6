using System.Text.Json;

namespace Tgwatch.Tdlib.Objects;

/// <summary>Reads <c>MessageContent</c>; constructors without a class become <see cref="TdOtherContent"/>.</summary>
internal sealed class TdMessageContentConverter() : TdUnionConverter<TdMessageContent>(
    ("messageText", typeof(TdMessageText)),
    ("messageAnimatedEmoji", typeof(TdMessageAnimatedEmoji)),
    ("messagePhoto", typeof(TdMessagePhoto)),
    ("messageVideo", typeof(TdMessageVideo)),
    ("messageDocument", typeof(TdMessageDocument)),
    ("messageAudio", typeof(TdMessageAudio)),
    ("messageVoiceNote", typeof(TdMessageVoiceNote)),
    ("messageAnimation", typeof(TdMessageAnimation)),
    ("messagePaidMedia", typeof(TdMessagePaidMedia)),
    ("messageSticker", typeof(TdMessageSticker)),
    ("messageVideoNote", typeof(TdMessageVideoNote)),
    ("messageLocation", typeof(TdMessageLocation)),
    ("messageLiveLocation", typeof(TdMessageLiveLocation)),
    ("messageVenue", typeof(TdMessageVenue)),
    ("messageContact", typeof(TdMessageContact)),
    ("messagePoll", typeof(TdMessagePoll)),
    ("messageDice", typeof(TdMessageDice)),
    ("messageGame", typeof(TdMessageGame)))
{
    /// <inheritdoc />
    protected override TdMessageContent Unknown(string type) => new TdOtherContent(type);
}

/// <summary>Reads <c>MessageSender</c>.</summary>
internal sealed class TdMessageSenderConverter() : TdUnionConverter<TdMessageSender>(
    ("messageSenderUser", typeof(TdMessageSenderUser)),
    ("messageSenderChat", typeof(TdMessageSenderChat)))
{
    /// <inheritdoc />
    protected override TdMessageSender Unknown(string type) => new TdUnknownSender(type);
}

/// <summary>Reads <c>MessageOrigin</c>.</summary>
internal sealed class TdMessageOriginConverter() : TdUnionConverter<TdMessageOrigin>(
    ("messageOriginUser", typeof(TdMessageOriginUser)),
    ("messageOriginHiddenUser", typeof(TdMessageOriginHiddenUser)),
    ("messageOriginChat", typeof(TdMessageOriginChat)),
    ("messageOriginChannel", typeof(TdMessageOriginChannel)))
{
    /// <inheritdoc />
    protected override TdMessageOrigin Unknown(string type) => new TdUnknownOrigin(type);
}

/// <summary>Reads <c>MessageReplyTo</c>.</summary>
internal sealed class TdMessageReplyToConverter() : TdUnionConverter<TdMessageReplyTo>(
    ("messageReplyToMessage", typeof(TdMessageReplyToMessage)),
    ("messageReplyToStory", typeof(TdMessageReplyToStory)))
{
    /// <inheritdoc />
    protected override TdMessageReplyTo Unknown(string type) => new TdUnknownReplyTo(type);
}

/// <summary>Reads <c>MessageSendingState</c>.</summary>
internal sealed class TdMessageSendingStateConverter() : TdUnionConverter<TdMessageSendingState>(
    ("messageSendingStatePending", typeof(TdMessageSendingStatePending)),
    ("messageSendingStateFailed", typeof(TdMessageSendingStateFailed)))
{
    /// <inheritdoc />
    protected override TdMessageSendingState Unknown(string type) => new TdUnknownSendingState(type);
}

/// <summary>Reads <c>ChatType</c>.</summary>
internal sealed class TdChatTypeConverter() : TdUnionConverter<TdChatType>(
    ("chatTypePrivate", typeof(TdChatTypePrivate)),
    ("chatTypeBasicGroup", typeof(TdChatTypeBasicGroup)),
    ("chatTypeSupergroup", typeof(TdChatTypeSupergroup)),
    ("chatTypeSecret", typeof(TdChatTypeSecret)))
{
    /// <inheritdoc />
    protected override TdChatType Unknown(string type) => new TdUnknownChatType(type);
}
