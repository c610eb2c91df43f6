using System.Text.Json;

namespace Tgwatch.Tdlib.Objects;

/// <summary><c>updateNewMessage</c>.</summary>
internal sealed class TdUpdateNewMessage
{
    public required TdMessage Message { get; init; }
}

/// <summary><c>updateMessageSendSucceeded</c>: a message this client sent reached the server under a new id.</summary>
internal sealed class TdUpdateMessageSendSucceeded
{
    public required TdMessage Message { get; init; }

    public required long OldMessageId { get; init; }
}

/// <summary><c>updateMessageSendFailed</c>: a message this client sent was refused.</summary>
internal sealed class TdUpdateMessageSendFailed
{
    public required TdMessage Message { get; init; }

    public required long OldMessageId { get; init; }

    public required TdErrorObject Error { get; init; }
}

/// <summary>TDLib <c>error</c>.</summary>
internal sealed class TdErrorObject
{
    public required int Code { get; init; }

    public string? Message { get; init; }
}

/// <summary><c>updateMessageContent</c>.</summary>
internal sealed class TdUpdateMessageContent
{
    public required long ChatId { get; init; }

    public required long MessageId { get; init; }

    public required TdMessageContent NewContent { get; init; }
}

/// <summary><c>updateMessageEdited</c> (reply markup skipped).</summary>
internal sealed class TdUpdateMessageEdited
{
    public required long ChatId { get; init; }

    public required long MessageId { get; init; }

    public required int EditDate { get; init; }
}

/// <summary><c>updateDeleteMessages</c>.</summary>
internal sealed class TdUpdateDeleteMessages
{
    public required long ChatId { get; init; }

    public required long[] MessageIds { get; init; }

    public required bool IsPermanent { get; init; }

    public required bool FromCache { get; init; }
}

/// <summary><c>updateConnectionState</c>.</summary>
internal sealed class TdUpdateConnectionState
{
    public required TdConnectionStateObject State { get; init; }
}

/// <summary><c>updateUser</c>.</summary>
internal sealed class TdUpdateUser
{
    public required TdUser User { get; init; }
}

/// <summary><c>updateNewChat</c>.</summary>
internal sealed class TdUpdateNewChat
{
    public required TdChat Chat { get; init; }
}

/// <summary><c>updateChatTitle</c>.</summary>
internal sealed class TdUpdateChatTitle
{
    public required long ChatId { get; init; }

    public required string Title { get; init; }
}

/// <summary><c>updateSupergroup</c>.</summary>
internal sealed class TdUpdateSupergroup
{
    public required TdSupergroup Supergroup { get; init; }
}

/// <summary>TDLib <c>ConnectionState</c>: a constructor without fields, so one class holds which one.</summary>
internal sealed class TdConnectionStateObject(Updates.TdConnectionState state)
{
    public Updates.TdConnectionState State { get; } = state;
}

/// <summary>Reads a <c>ConnectionState</c>; an unknown constructor is an error (the set is closed in 1.8.65).</summary>
internal sealed class TdConnectionStateConverter : System.Text.Json.Serialization.JsonConverter<TdConnectionStateObject>
{
    private static readonly TdConnectionStateObject[] States =
        [.. Enum.GetValues<Updates.TdConnectionState>().Select(s => new TdConnectionStateObject(s))];

    /// <inheritdoc />
    public override TdConnectionStateObject Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException($"a ConnectionState must be an object, not {reader.TokenType}");
        var type = TdTypeField.Find(reader, "ConnectionState");
        Updates.TdConnectionState? state =
            type.ValueTextEquals("connectionStateWaitingForNetwork"u8) ? Updates.TdConnectionState.WaitingForNetwork
            : type.ValueTextEquals("connectionStateConnectingToProxy"u8) ? Updates.TdConnectionState.ConnectingToProxy
            : type.ValueTextEquals("connectionStateConnecting"u8) ? Updates.TdConnectionState.Connecting
            : type.ValueTextEquals("connectionStateUpdating"u8) ? Updates.TdConnectionState.Updating
            : type.ValueTextEquals("connectionStateReady"u8) ? Updates.TdConnectionState.Ready
            : null;
        if (state is not { } s) throw new JsonException($"unknown ConnectionState \"{type.GetString()}\"");
        reader.Skip();
        return States[(int)s];
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TdConnectionStateObject value, JsonSerializerOptions options) =>
        throw new NotSupportedException("TDLib objects are only read");
}

/// <summary>Reads any TDLib object as its <c>@type</c>, skipping the rest.</summary>
internal sealed class TdAnyConverter : System.Text.Json.Serialization.JsonConverter<TdAny>
{
    /// <inheritdoc />
    public override TdAny Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException($"a TDLib object must be an object, not {reader.TokenType}");
        var type = TdTypeField.Find(reader, "TDLib object").GetString()!;
        reader.Skip();
        return new TdAny(type);
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, TdAny value, JsonSerializerOptions options) =>
        throw new NotSupportedException("TDLib objects are only read");
}
