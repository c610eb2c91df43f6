using System.Text.Json.Serialization;
using Tgwatch.Tdlib.Functions;

namespace Tgwatch.Tdlib.Objects;

/// <summary>
/// Source-generated readers of the TDLib 1.8.65 objects Tgwatch uses, and writer of the functions it sends
/// (<see cref="TdFunction"/>). TDLib's JSON: snake_case names, int64 as strings (int53 as numbers), <c>@type</c>
/// naming the constructor; TDLib leaves null fields out (a function's null field is written as null, which TDLib
/// reads the same). Fields that TDLib always sends and Tgwatch needs are <c>required</c>, so an object without
/// them is malformed.
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
[JsonSerializable(typeof(TdUpdateMessageSendFailed))]
[JsonSerializable(typeof(TdUpdateMessageContent))]
[JsonSerializable(typeof(TdUpdateMessageEdited))]
[JsonSerializable(typeof(TdUpdateDeleteMessages))]
[JsonSerializable(typeof(TdUpdateConnectionState))]
[JsonSerializable(typeof(TdUpdateUser))]
[JsonSerializable(typeof(TdUpdateNewChat))]
[JsonSerializable(typeof(TdUpdateChatTitle))]
[JsonSerializable(typeof(TdUpdateSupergroup))]
[JsonSerializable(typeof(TdFunction))]
internal sealed partial class TdJsonContext : JsonSerializerContext
{
    /// <summary>How deep a TDLib object may nest (TDLib's messages nest far less).</summary>
    public const int MaxDepth = 128;
}
