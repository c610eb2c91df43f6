using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Tgwatch.Cli.Http.Page;

/// <summary>
/// The server's renderer of the status page: the cards of <see cref="PageLayout"/> with the values of one <c>/api/status</c>
/// document, as HTML. <c>status.js</c> renders the same markup from the same document, rule for rule (a test compares the
/// two in a browser): whatever changes here changes there.
/// </summary>
internal static class PageHtml
{
    /// <summary>What a value that is not there (or not of its kind) is written as.</summary>
    public const string None = "—";

    /// <summary>The largest whole number a script's number holds exactly (2^53 - 1).</summary>
    private const double LargestWhole = 9007199254740991;

    /// <summary>The cards, as the inner HTML of the page's <c>main</c>.</summary>
    public static string Cards(JsonElement status)
    {
        var html = new StringBuilder();
        foreach (var card in PageLayout.Cards)
        {
            html.Append(card.Wide ? "<section class=\"card wide\"><h2>" : "<section class=\"card\"><h2>").Append(Encode(card.Title)).Append("</h2>");
            foreach (var part in card.Parts) Part(html, part, status);
            html.Append("</section>");
        }
        return html.ToString();
    }

    /// <summary>The page's title: the account, and whether the run is not ready.</summary>
    public static string Title(JsonElement status)
    {
        var account = At(status, "link.account") is { ValueKind: JsonValueKind.String } a && a.GetString() is { Length: > 0 } name ? $" · {name}" : "";
        var notReady = At(status, "ready") is { ValueKind: JsonValueKind.False } ? "not ready · " : "";
        return $"{notReady}tgwatch{account}";
    }

    private static void Part(StringBuilder html, PagePart part, JsonElement status)
    {
        switch (part)
        {
            case ReadinessPart:
                Readiness(html, status);
                break;
            case FieldsPart fields:
                html.Append("<dl>");
                foreach (var field in fields.Fields)
                    html.Append("<dt>").Append(Encode(field.Label)).Append("</dt><dd data-path=\"").Append(Encode(field.Path)).Append("\">")
                        .Append(Value(At(status, field.Path), field.Format)).Append("</dd>");
                html.Append("</dl>");
                break;
            case TablePart table:
                Table(html, table, status);
                break;
            case PairsPart pairs:
                Pairs(html, pairs, status);
                break;
            default:
                throw new InvalidOperationException($"a part the page cannot show: {part.GetType().Name}");
        }
    }

    private static void Readiness(StringBuilder html, JsonElement status)
    {
        switch (At(status, "ready")?.ValueKind)
        {
            case JsonValueKind.True:
                html.Append("<p class=\"readiness ready\" data-path=\"ready\">ready</p>");
                break;
            case JsonValueKind.False:
                html.Append("<p class=\"readiness not-ready\" data-path=\"ready\">not ready</p>");
                if (At(status, "reasons") is { ValueKind: JsonValueKind.Array } reasons && reasons.GetArrayLength() > 0)
                {
                    html.Append("<ul class=\"reasons\" data-path=\"reasons\">");
                    foreach (var reason in reasons.EnumerateArray())
                        html.Append("<li>").Append(reason.ValueKind == JsonValueKind.String ? Encode(reason.GetString()!) : None).Append("</li>");
                    html.Append("</ul>");
                }
                break;
            default:
                html.Append("<p class=\"readiness\" data-path=\"ready\">").Append(None).Append("</p>");
                break;
        }
    }

    private static void Table(StringBuilder html, TablePart table, JsonElement status)
    {
        if (table.Title.Length > 0) html.Append("<h3>").Append(Encode(table.Title)).Append("</h3>");
        var rows = At(status, table.Path);
        if (rows is not { ValueKind: JsonValueKind.Array } || rows.Value.GetArrayLength() == 0)
        {
            Empty(html, table.Path, rows is { ValueKind: JsonValueKind.Array } ? table.Empty : None);
            return;
        }
        html.Append("<table data-path=\"").Append(Encode(table.Path)).Append("\"><thead><tr>");
        foreach (var column in table.Columns) html.Append("<th>").Append(Encode(column.Label)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in rows.Value.EnumerateArray())
        {
            html.Append("<tr>");
            foreach (var column in table.Columns)
                html.Append("<td data-label=\"").Append(Encode(column.Label)).Append("\" data-path=\"").Append(Encode(column.Path)).Append("\">")
                    .Append(Value(At(row, column.Path), column.Format)).Append("</td>");
            html.Append("</tr>");
        }
        html.Append("</tbody></table>");
    }

    private static void Pairs(StringBuilder html, PairsPart pairs, JsonElement status)
    {
        html.Append("<h3>").Append(Encode(pairs.Title)).Append("</h3>");
        var members = At(status, pairs.Path);
        if (members is not { ValueKind: JsonValueKind.Object } || !members.Value.EnumerateObject().Any())
        {
            Empty(html, pairs.Path, members is { ValueKind: JsonValueKind.Object } ? pairs.Empty : None);
            return;
        }
        html.Append("<dl data-path=\"").Append(Encode(pairs.Path)).Append("\">");
        foreach (var member in members.Value.EnumerateObject())
            html.Append("<dt>").Append(Encode(member.Name)).Append("</dt><dd data-path=\"").Append(Encode($"{pairs.Path}.{member.Name}")).Append("\">")
                .Append(Value(member.Value, pairs.Format)).Append("</dd>");
        html.Append("</dl>");
    }

    private static void Empty(StringBuilder html, string path, string text) =>
        html.Append("<p class=\"empty\" data-path=\"").Append(Encode(path)).Append("\">").Append(Encode(text)).Append("</p>");

    /// <summary>The value at <paramref name="path"/> (names joined by dots) within objects; null when one is missing.</summary>
    public static JsonElement? At(JsonElement value, string path)
    {
        foreach (var name in path.Split('.'))
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(name, out value)) return null;
        }
        return value;
    }

    /// <summary>A value written as <paramref name="format"/> says, as HTML; <see cref="None"/> when it is not there or not of its kind.</summary>
    public static string Value(JsonElement? value, PageFormat format)
    {
        if (value is not { } v) return None;
        return format switch
        {
            PageFormat.Text => v.ValueKind == JsonValueKind.String ? Encode(v.GetString()!) : None,
            PageFormat.Count => Whole(v) is { } n ? n.ToString("#,0", CultureInfo.InvariantCulture) : None,
            PageFormat.Id => Whole(v) is { } id ? id.ToString(CultureInfo.InvariantCulture) : None,
            PageFormat.Duration => Number(v) is { } seconds ? Duration(seconds) : None,
            PageFormat.Age => Number(v) is { } age && Duration(age) is var ago && ago != None ? $"{ago} ago" : None,
            PageFormat.Time => v.ValueKind == JsonValueKind.String ? Encode(FirstT(v.GetString()!)) : None,
            PageFormat.State => v.ValueKind == JsonValueKind.String ? State(v.GetString()!, v.GetString()!) : None,
            PageFormat.Failing => v.ValueKind switch
            {
                JsonValueKind.True => State("failing", "failing"),
                JsonValueKind.False => State("ok", "ok"),
                _ => None,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
        };
    }

    /// <summary>
    /// Seconds as <see cref="Tgwatch.Duration.Format"/> writes a duration (at most two units, tenths below 10 s), reckoned in
    /// doubles from whole milliseconds (of the seconds to the microsecond, so that 0.29 is 290 ms), as the script reckons
    /// them, so that both write the same text.
    /// </summary>
    public static string Duration(double seconds)
    {
        var ms = Math.Floor(Math.Floor(Math.Max(seconds, 0) * 1e6 + 0.5) / 1000);
        if (ms >= 1e15) return None;
        var c = CultureInfo.InvariantCulture;
        if (ms < 1000) return string.Create(c, $"{ms:0}ms");
        if (ms < 10_000)
        {
            var tenths = Math.Floor((ms + 50) / 100);
            return tenths % 10 == 0 ? string.Create(c, $"{tenths / 10:0}s") : string.Create(c, $"{Math.Floor(tenths / 10):0}.{tenths % 10:0}s");
        }
        if (ms < 60_000) return string.Create(c, $"{Math.Floor(ms / 1000):0}s");
        if (ms < 3_600_000) return string.Create(c, $"{Math.Floor(ms / 60_000):0}m{Math.Floor(ms / 1000) % 60:00}s");
        return string.Create(c, $"{Math.Floor(ms / 3_600_000):0}h{Math.Floor(ms / 60_000) % 60:00}m");
    }

    /// <summary>A whole number a script holds exactly (as the script's <c>Number.isSafeInteger</c>); null for anything else.</summary>
    private static long? Whole(JsonElement value) => Number(value) is { } d && d == Math.Floor(d) && Math.Abs(d) <= LargestWhole ? (long)d : null;

    /// <summary>A number a double holds (one too large for it is none, as the script's <c>Infinity</c> is written none).</summary>
    private static double? Number(JsonElement value) => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && double.IsFinite(d) ? d : null;

    private static string FirstT(string time) => time.IndexOf('T', StringComparison.Ordinal) is var t and >= 0 ? string.Concat(time.AsSpan(0, t), " ", time.AsSpan(t + 1)) : time;

    private static string State(string name, string text) =>
        $"<span class=\"state state-{(name.Length > 0 && name.All(ch => ch is >= 'a' and <= 'z') ? name : "other")}\">{Encode(text)}</span>";

    /// <summary>Text as HTML: <c>&amp; &lt; &gt; " '</c> as references, the rest as it is (the script's <c>encode</c>).</summary>
    public static string Encode(string text)
    {
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0) return text;
        var html = new StringBuilder(text.Length + 16);
        foreach (var ch in text)
        {
            _ = ch switch
            {
                '&' => html.Append("&amp;"),
                '<' => html.Append("&lt;"),
                '>' => html.Append("&gt;"),
                '"' => html.Append("&quot;"),
                '\'' => html.Append("&#39;"),
                _ => html.Append(ch),
            };
        }
        return html.ToString();
    }
}
