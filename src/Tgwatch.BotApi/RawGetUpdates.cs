using System.Text.Json.Serialization;
using Telegram.Bot.Requests;

namespace Tgwatch.BotApi;

/// <summary><c>getUpdates</c>, its answer read update by update (<see cref="UpdateBatch"/>), so that each update is read on its own.</summary>
internal sealed class RawGetUpdates() : RequestBase<UpdateBatch>("getUpdates")
{
    /// <summary>Identifier of the first update to return; earlier ones are confirmed.</summary>
    [JsonPropertyName("offset")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Offset { get; init; }

    /// <summary>At most this many updates.</summary>
    [JsonPropertyName("limit")]
    public int Limit { get; init; }

    /// <summary>Long-polling timeout in seconds.</summary>
    [JsonPropertyName("timeout")]
    public int Timeout { get; init; }

    /// <summary>The update kinds wanted.</summary>
    [JsonPropertyName("allowed_updates")]
    public IReadOnlyList<string> AllowedUpdates { get; init; } = [];
}
