using System.Text.Json;

namespace Tgwatch.Tdlib.Objects;

/// <summary>Reads <c>MessageSendingState</c> (which one only: its presence is what matters).</summary>
internal sealed class TdMessageSendingStateConverter : TdUnionConverter<TdMessageSendingState, TdMessageSendingStateConverter.Fields>
{
    private const int Pending = 0, Failed = 1;

    internal struct Fields;

    /// <inheritdoc />
    protected override string Name => "MessageSendingState";

    /// <inheritdoc />
    protected override int Match(ref Utf8JsonReader type) =>
        type.ValueTextEquals("messageSendingStatePending"u8) ? Pending : type.ValueTextEquals("messageSendingStateFailed"u8) ? Failed : -1;

    /// <inheritdoc />
    protected override bool ReadField(int constructor, ref Utf8JsonReader reader, ref Fields fields) => false;

    /// <inheritdoc />
    protected override TdMessageSendingState Create(int constructor, in Fields fields) =>
        constructor == Pending ? TdMessageSendingStatePending.Instance : TdMessageSendingStateFailed.Instance;

    /// <inheritdoc />
    protected override TdMessageSendingState Unknown(string type) => new TdUnknownSendingState(type);
}
