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
internal sealed partial class TdJsonContext : JsonSerializerContext
{
    /// <summary>How deep a TDLib object may nest (TDLib's messages nest far less).</summary>
    public const int MaxDepth = 128;
}
