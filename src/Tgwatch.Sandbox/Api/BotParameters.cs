using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tgwatch.Sandbox.Api;

/// <summary>
/// The parameters of one bot request, from wherever Telegram accepts them: the query string,
/// an <c>application/x-www-form-urlencoded</c> or <c>multipart/form-data</c> body, or an <c>application/json</c>
/// body (body values win over the query string). An empty value counts as absent.
/// </summary>
internal sealed class BotParameters
{
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonElement> _json = new(StringComparer.Ordinal);

    public static async Task<BotParameters> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var p = new BotParameters();
        foreach (var (name, value) in request.Query) p.SetString(name, value.ToString());
        if (!HttpMethods.IsPost(request.Method)) return p;
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try { form = await request.ReadFormAsync(ct).ConfigureAwait(false); }
            catch (InvalidDataException) { throw new BadRequestException("can't parse request body"); }
            foreach (var (name, value) in form) p.SetString(name, value.ToString());
        }
        else if (request.HasJsonContentType())
        {
            JsonDocument document;
            try { document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct).ConfigureAwait(false); }
            catch (JsonException) { throw new BadRequestException("can't parse JSON object"); }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object) throw new BadRequestException("can't parse JSON object");
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    p._strings.Remove(property.Name);
                    if (property.Value.ValueKind == JsonValueKind.Null) p._json.Remove(property.Name);
                    else p._json[property.Name] = property.Value.Clone();
                }
            }
        }
        return p;
    }

    private void SetString(string name, string value)
    {
        _json.Remove(name);
        if (value.Length == 0) _strings.Remove(name);
        else _strings[name] = value;
    }

    public bool Has(string name) => _strings.ContainsKey(name) || _json.ContainsKey(name);

    /// <summary>An Integer parameter: a JSON number, or text holding one.</summary>
    public long? GetInt64(string name)
    {
        if (_json.TryGetValue(name, out var e))
        {
            if (e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var n)) return n;
            if (e.ValueKind == JsonValueKind.String) return ParseInt64(name, e.GetString()!);
            throw new BadRequestException($"field \"{name}\" must be an Integer");
        }
        return _strings.TryGetValue(name, out var s) ? ParseInt64(name, s) : null;
    }

    public int? GetInt32(string name) => GetInt64(name) is { } n ? (int)Math.Clamp(n, int.MinValue, int.MaxValue) : null;

    private static long ParseInt64(string name, string text) =>
        long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
        : throw new BadRequestException($"field \"{name}\" must be an Integer");

    /// <summary>A String parameter (a JSON number is taken as its text, as Telegram does for chat_id).</summary>
    public string? GetString(string name)
    {
        if (_json.TryGetValue(name, out var e))
        {
            return e.ValueKind switch
            {
                JsonValueKind.String => e.GetString() is { Length: > 0 } s ? s : null,
                JsonValueKind.Number => e.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => throw new BadRequestException($"field \"{name}\" must be a String"),
            };
        }
        return _strings.GetValueOrDefault(name);
    }

    public bool GetBoolean(string name) =>
        GetString(name) is { } s && (s.Equals("true", StringComparison.OrdinalIgnoreCase) || s == "1");

    /// <summary>A JSON-serialized array of strings: a JSON array in a JSON body, text holding one elsewhere.</summary>
    public IReadOnlyList<string>? GetStringArray(string name)
    {
        var element = GetJson(name, JsonValueKind.Array);
        if (element is not { } array) return null;
        var list = new List<string>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw new BadRequestException($"can't parse \"{name}\": an Array of String is expected");
            list.Add(item.GetString()!);
        }
        return list;
    }

    /// <summary>A JSON-serialized object: a JSON object in a JSON body, text holding one elsewhere.</summary>
    public JsonElement? GetObject(string name) => GetJson(name, JsonValueKind.Object);

    private JsonElement? GetJson(string name, JsonValueKind kind)
    {
        JsonElement element;
        if (_json.TryGetValue(name, out var e) && e.ValueKind != JsonValueKind.String) element = e;
        else if ((_json.TryGetValue(name, out e) ? e.GetString() : _strings.GetValueOrDefault(name)) is { } text)
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                element = document.RootElement.Clone();
            }
            catch (JsonException) { throw new BadRequestException($"can't parse \"{name}\" JSON"); }
        }
        else return null;
        return element.ValueKind == kind ? element
            : throw new BadRequestException($"can't parse \"{name}\": {(kind == JsonValueKind.Array ? "an Array" : "an Object")} is expected");
    }
}
