using System.Text;
using System.Text.Json;
using Tgwatch.Sandbox.Wire;

namespace Tgwatch.Sandbox.Api;

/// <summary>
/// One answer to a bot request, built before anything is written (so a fault can still drop it): Telegram's
/// <c>{"ok":true,"result":…}</c> or <c>{"ok":false,"error_code":N,"description":"…","parameters":{…}}</c>.
/// </summary>
internal sealed record BotResponse(int StatusCode, byte[] Body, string ContentType = "application/json")
{
    /// <summary>Success with <paramref name="result"/> written as Bot API JSON.</summary>
    public static BotResponse Ok<T>(T result, string? description = null) =>
        Build(200, w =>
        {
            w.WriteBoolean("ok", true);
            w.WritePropertyName("result");
            JsonSerializer.Serialize(w, result, WireJson.Options);
            if (description is not null) w.WriteString("description", description);
        });

    /// <summary>Success whose result is an array of objects already in JSON (queued updates).</summary>
    public static BotResponse OkArray(IReadOnlyList<byte[]> items)
    {
        var size = 24 + items.Sum(i => i.Length + 1);
        var body = new byte[size];
        var at = Encoding.UTF8.GetBytes("{\"ok\":true,\"result\":[", body);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) body[at++] = (byte)',';
            items[i].CopyTo(body, at);
            at += items[i].Length;
        }
        at += Encoding.UTF8.GetBytes("]}", body.AsSpan(at));
        return new BotResponse(200, body[..at]);
    }

    /// <summary>An error in Telegram's shape; <c>parameters</c> only when there is one.</summary>
    public static BotResponse Error(int code, string description, int? retryAfter = null) =>
        Build(code, w =>
        {
            w.WriteBoolean("ok", false);
            w.WriteNumber("error_code", code);
            w.WriteString("description", description);
            if (retryAfter is { } seconds)
            {
                w.WriteStartObject("parameters");
                w.WriteNumber("retry_after", seconds);
                w.WriteEndObject();
            }
        });

    public static BotResponse Unauthorized { get; } = Error(401, "Unauthorized");

    public static BotResponse NotFound { get; } = Error(404, "Not Found");

    public static BotResponse BadRequest(string what) => Error(400, "Bad Request: " + what);

    public static BotResponse Conflict(string what) => Error(409, "Conflict: " + what);

    public static BotResponse TooManyRequests(int retryAfter) => Error(429, $"Too Many Requests: retry after {retryAfter}", retryAfter);

    private static BotResponse Build(int status, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = WireJson.Options.Encoder }))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }
        return new BotResponse(status, buffer.ToArray());
    }
}
