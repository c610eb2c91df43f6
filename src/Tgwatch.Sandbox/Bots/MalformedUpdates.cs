using System.Text.Json.Nodes;
using Tgwatch.Sandbox.Faults;

namespace Tgwatch.Sandbox.Bots;

/// <summary>The bad updates of <see cref="SandboxFaultKind.Malformed"/> faults.</summary>
internal static class MalformedUpdates
{
    /// <summary>The update's type (its field name) and the value of that field.</summary>
    public static (string Kind, JsonNode Body) Build(MalformedShape shape, long date) => shape switch
    {
        MalformedShape.UnknownType => ("sandbox_unknown_update", new JsonObject { ["id"] = date, ["note"] = "an update type no client knows" }),
        MalformedShape.MessageReaction => ("message_reaction", new JsonObject
        {
            ["chat"] = new JsonObject { ["id"] = -1001000000001, ["type"] = "supergroup", ["title"] = "Sandbox reactions" },
            ["message_id"] = 1,
            ["user"] = new JsonObject { ["id"] = 777000001, ["is_bot"] = false, ["first_name"] = "Sandbox" },
            ["date"] = date,
            ["old_reaction"] = new JsonArray(),
            ["new_reaction"] = new JsonArray(new JsonObject { ["type"] = "emoji", ["emoji"] = "\U0001F44D" }),
        }),
        _ => ("message", JsonValue.Create("sandbox: a string where a Message object belongs")),
    };

    public static byte[] Json(int updateId, string kind, JsonNode body) =>
        System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["update_id"] = updateId, [kind] = body.DeepClone() }
            .ToJsonString(Wire.WireJson.Options));
}
