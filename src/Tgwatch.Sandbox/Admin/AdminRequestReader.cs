using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Tgwatch.Sandbox.Bots;

namespace Tgwatch.Sandbox.Admin;

/// <summary>
/// Reads the JSON body of an admin request as its type. What does not fit is an <see cref="AdminException"/> (400) of one
/// line in plain words naming the endpoint: JSON that does not parse (where), a field the type does not have (every one,
/// with the field it resembles), a required field missing, a value of the wrong type (what was expected).
/// </summary>
internal static class AdminRequestReader
{
    public static async Task<TRequest> ReadAsync<TRequest>(HttpContext context) where TRequest : class
    {
        var endpoint = context.Request.Path.Value ?? "";
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw new AdminException(400, string.Create(CultureInfo.InvariantCulture, $"not valid JSON in {endpoint} (line {e.LineNumber + 1 ?? 1}, position {e.BytePositionInLine + 1 ?? 1})"));
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new AdminException(400, $"a JSON object is expected in {endpoint}");
            var problems = new List<string>();
            Check(root, AdminJson.Strict.GetTypeInfo(typeof(TRequest)), "", endpoint, problems);
            if (problems.Count > 0) throw new AdminException(400, string.Join("; ", problems));
            try
            {
                return root.Deserialize<TRequest>(AdminJson.Strict) ?? throw new AdminException(400, $"a JSON object is expected in {endpoint}");
            }
            catch (JsonException e)
            {
                var field = e.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
                throw new AdminException(400, field is null
                    ? $"the fields of {endpoint} cannot be read"
                    : $"field \"{field}\" in {endpoint}: expected {Expected(typeof(TRequest), field)}");
            }
        }
    }

    /// <summary>
    /// Adds a line for each field of <paramref name="value"/> (and of the objects in it) that <paramref name="type"/> does not
    /// have, and for each required field missing (unless an unknown field resembles it: that one is its misspelling).
    /// </summary>
    private static void Check(JsonElement value, JsonTypeInfo type, string prefix, string endpoint, List<string> problems)
    {
        var fields = type.Properties.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var meant = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (!fields.TryGetValue(property.Name, out var field))
            {
                var closest = Suggestions.Closest(property.Name, fields.Keys);
                if (closest is not null) meant.Add(closest);
                problems.Add($"unknown field \"{prefix}{property.Name}\" in {endpoint}{(closest is null ? "" : $" (did you mean \"{prefix}{closest}\"?)")}");
                continue;
            }
            var info = AdminJson.Strict.GetTypeInfo(field.PropertyType);
            if (property.Value.ValueKind == JsonValueKind.Object && info.Kind == JsonTypeInfoKind.Object)
                Check(property.Value, info, $"{prefix}{property.Name}.", endpoint, problems);
            else if (property.Value.ValueKind == JsonValueKind.Array && info is { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } element }
                && AdminJson.Strict.GetTypeInfo(element) is { Kind: JsonTypeInfoKind.Object } elementInfo)
            {
                var i = 0;
                foreach (var item in property.Value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object) Check(item, elementInfo, string.Create(CultureInfo.InvariantCulture, $"{prefix}{property.Name}[{i}]."), endpoint, problems);
                    i++;
                }
            }
        }
        foreach (var field in type.Properties)
            if (field.IsRequired && !meant.Contains(field.Name) && !value.TryGetProperty(field.Name, out _))
                problems.Add($"missing field \"{prefix}{field.Name}\" in {endpoint}");
    }

    /// <summary>What the field at <paramref name="path"/> (<c>chat.type</c>, <c>chat_ids[0]</c>) of <paramref name="request"/> holds, in words.</summary>
    private static string Expected(Type request, string path)
    {
        var type = request;
        foreach (var part in path.Split('.'))
        {
            var name = part.Split('[')[0];
            var field = AdminJson.Strict.GetTypeInfo(type).Properties.FirstOrDefault(p => p.Name == name);
            if (field is null) return "a value of another type";
            type = field.PropertyType;
            for (var i = part.Count(c => c == '['); i > 0; i--)
                if (AdminJson.Strict.GetTypeInfo(type).ElementType is { } element) type = element;
        }
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(long) || t == typeof(int) || t == typeof(short)) return "a whole number";
        if (t == typeof(double) || t == typeof(decimal) || t == typeof(float)) return "a number";
        if (t == typeof(bool)) return "true or false";
        if (t == typeof(string)) return "a string";
        if (t == typeof(System.Text.Json.Nodes.JsonObject)) return "an object";
        if (t.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(t).Select(JsonNamingPolicy.SnakeCaseLower.ConvertName))}";
        return AdminJson.Strict.GetTypeInfo(t).Kind switch
        {
            JsonTypeInfoKind.Enumerable => "a list",
            JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => "an object",
            _ => "a value of another type",
        };
    }
}
