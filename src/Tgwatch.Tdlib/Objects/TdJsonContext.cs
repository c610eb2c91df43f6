using System.Text.Json.Serialization;

namespace Tgwatch.Tdlib.Objects;

/// <summary>
/// Source-generated readers of the TDLib 1.8.65 objects Tgwatch uses. TDLib's JSON: snake_case names, null
/// fields left out, int64 as strings (int53 as numbers), <c>@type</c> naming the constructor. Fields that
/// TDLib always sends and Tgwatch needs are <c>required</c>, so an object without them is malformed.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    GenerationMode = JsonSourceGenerationMode.Metadata,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    NumberHandling = JsonNumberHandling.Strict,
    MaxDepth = MaxDepth,
    Converters =
    [
        typeof(TdMessageContentConverter), typeof(TdMessageSenderConverter), typeof(TdMessageOriginConverter),
        typeof(TdMessageReplyToConverter), typeof(TdMessageSendingStateConverter), typeof(TdChatTypeConverter),
        typeof(TdConnectionStateConverter), typeof(TdAnyConverter),
    ])]
[JsonSerializable(typeof(TdMessage))]
[JsonSerializable(typeof(TdChat))]
[JsonSerializable(typeof(TdChats))]
[JsonSerializable(typeof(TdUser))]
[JsonSerializable(typeof(TdSupergroup))]
[JsonSerializable(typeof(TdError))]
[JsonSerializable(typeof(TdUpdateNewMessage))]
[JsonSerializable(typeof(TdUpdateMessageSendSucceeded))]
[JsonSerializable(typeof(TdUpdateMessageContent))]
[JsonSerializable(typeof(TdUpdateMessageEdited))]
[JsonSerializable(typeof(TdUpdateDeleteMessages))]
[JsonSerializable(typeof(TdUpdateConnectionState))]
[JsonSerializable(typeof(TdUpdateUser))]
[JsonSerializable(typeof(TdUpdateNewChat))]
[JsonSerializable(typeof(TdUpdateChatTitle))]
[JsonSerializable(typeof(TdUpdateSupergroup))]
// The constructors the union converters read.
[JsonSerializable(typeof(TdMessageText))]
[JsonSerializable(typeof(TdMessageAnimatedEmoji))]
[JsonSerializable(typeof(TdMessagePhoto))]
[JsonSerializable(typeof(TdMessageVideo))]
[JsonSerializable(typeof(TdMessageDocument))]
[JsonSerializable(typeof(TdMessageAudio))]
[JsonSerializable(typeof(TdMessageVoiceNote))]
[JsonSerializable(typeof(TdMessageAnimation))]
[JsonSerializable(typeof(TdMessagePaidMedia))]
[JsonSerializable(typeof(TdMessageSticker))]
[JsonSerializable(typeof(TdMessageVideoNote))]
[JsonSerializable(typeof(TdMessageLocation))]
[JsonSerializable(typeof(TdMessageLiveLocation))]
[JsonSerializable(typeof(TdMessageVenue))]
[JsonSerializable(typeof(TdMessageContact))]
[JsonSerializable(typeof(TdMessagePoll))]
[JsonSerializable(typeof(TdMessageDice))]
[JsonSerializable(typeof(TdMessageGame))]
[JsonSerializable(typeof(TdMessageSenderUser))]
[JsonSerializable(typeof(TdMessageSenderChat))]
[JsonSerializable(typeof(TdMessageOriginUser))]
[JsonSerializable(typeof(TdMessageOriginHiddenUser))]
[JsonSerializable(typeof(TdMessageOriginChat))]
[JsonSerializable(typeof(TdMessageOriginChannel))]
[JsonSerializable(typeof(TdMessageReplyToMessage))]
[JsonSerializable(typeof(TdMessageReplyToStory))]
[JsonSerializable(typeof(TdMessageSendingStatePending))]
[JsonSerializable(typeof(TdMessageSendingStateFailed))]
[JsonSerializable(typeof(TdChatTypePrivate))]
[JsonSerializable(typeof(TdChatTypeBasicGroup))]
[JsonSerializable(typeof(TdChatTypeSupergroup))]
[JsonSerializable(typeof(TdChatTypeSecret))]
internal sealed partial class TdJsonContext : JsonSerializerContext
{
    /// <summary>How deep a TDLib object may nest (TDLib's messages nest far less).</summary>
    public const int MaxDepth = 128;
}
