using System.Text.Json;

namespace Tgwatch.Cli.Http.Page;

/// <summary>How a value of <c>/api/status</c> is written on the page (the script has the same formats: <c>status.js</c>).</summary>
internal enum PageFormat
{
    /// <summary>A string as it is.</summary>
    Text,

    /// <summary>A whole number, its thousands grouped (<c>1,234</c>).</summary>
    Count,

    /// <summary>A whole number as it is (a chat's id).</summary>
    Id,

    /// <summary>Seconds, written as the log writes durations (<c>410ms</c>, <c>2.1s</c>, <c>3h02m</c>).</summary>
    Duration,

    /// <summary>Seconds ago (<c>12s ago</c>).</summary>
    Age,

    /// <summary>An ISO-8601 time, its <c>T</c> a space.</summary>
    Time,

    /// <summary>A state (<c>ready</c>, <c>connecting</c>, <c>stopped</c>), coloured by its name.</summary>
    State,

    /// <summary>A sink's <c>failing</c>: <c>failing</c> or <c>ok</c>.</summary>
    Failing,
}

/// <summary>A part of a card.</summary>
internal abstract record PagePart;

/// <summary>Whether the run is ready, and the reasons when it is not (<c>ready</c>, <c>reasons</c>).</summary>
internal sealed record ReadinessPart : PagePart;

/// <summary>Values with their labels.</summary>
internal sealed record FieldsPart(params PageField[] Fields) : PagePart;

/// <summary>An array of objects, one row each; <paramref name="Columns"/>' paths are within a row.</summary>
/// <param name="Title">A heading above it; none when empty.</param>
/// <param name="Path">Where the array is.</param>
/// <param name="Empty">What an empty array says.</param>
/// <param name="Columns">The columns.</param>
internal sealed record TablePart(string Title, string Path, string Empty, params PageField[] Columns) : PagePart;

/// <summary>An object's members, each a name and its value (dead letters by stage, noise hidden by kind).</summary>
internal sealed record PairsPart(string Title, string Path, PageFormat Format, string Empty) : PagePart;

/// <summary>A value of <c>/api/status</c> at <paramref name="Path"/> (names joined by dots), labelled.</summary>
internal sealed record PageField(string Label, string Path, PageFormat Format);

/// <summary>A card of the page; a <paramref name="Wide"/> one (a table of many columns) takes the page's whole width.</summary>
internal sealed record PageCard(string Title, bool Wide, params PagePart[] Parts);

/// <summary>
/// What the status page shows, and where in <c>/api/status</c> each value is: the one list both the server's renderer
/// (<see cref="PageHtml"/>) and the page's script follow (the script is given it as JSON, <see cref="WriteJson"/>). A value
/// that is not there is written <c>—</c>.
/// </summary>
internal static class PageLayout
{
    public static IReadOnlyList<PageCard> Cards { get; } =
    [
        new("Run", false,
            new ReadinessPart(),
            new FieldsPart(
                new("Up", "uptime_seconds", PageFormat.Duration),
                new("Started", "started", PageFormat.Time),
                new("In flight", "in_flight", PageFormat.Count))),
        new("Link", false,
            new FieldsPart(
                new("Account", "link.account", PageFormat.Text),
                new("Connector", "link.connector", PageFormat.Text),
                new("State", "link.state", PageFormat.State),
                new("Since", "link.since", PageFormat.Time),
                new("Reason", "link.reason", PageFormat.Text),
                new("Reconnects", "link.reconnects", PageFormat.Count),
                new("Time down", "link.down_seconds", PageFormat.Duration)),
            new TablePart("Downs and ups", "link.timeline", "none yet",
                new("At", "at", PageFormat.Time),
                new("State", "state", PageFormat.State),
                new("Reason", "reason", PageFormat.Text))),
        new("Messages", false,
            new FieldsPart(
                new("Received", "received", PageFormat.Count),
                new("Written", "written", PageFormat.Count),
                new("Duplicates", "duplicates", PageFormat.Count),
                new("Caught up", "caught_up", PageFormat.Count),
                new("Filtered", "filtered", PageFormat.Count),
                new("Lag p50", "lag_seconds.p50", PageFormat.Duration),
                new("Lag p99", "lag_seconds.p99", PageFormat.Duration),
                new("Lag max", "lag_seconds.max", PageFormat.Duration),
                new("Lag of", "lag_seconds.count", PageFormat.Count))),
        new("Sinks", true,
            new TablePart("", "sinks", "none",
                new("Sink", "name", PageFormat.Text),
                new("Written", "written", PageFormat.Count),
                new("State", "failing", PageFormat.Failing),
                new("Failures", "failures", PageFormat.Count),
                new("Outbox", "outbox", PageFormat.Count),
                new("Sent", "sent", PageFormat.Count))),
        new("Chats", true,
            new TablePart("", "chats", "no message yet",
                new("Chat", "title", PageFormat.Text),
                new("Id", "id", PageFormat.Id),
                new("Messages", "messages", PageFormat.Count),
                new("Last message", "last_date", PageFormat.Time),
                new("Age", "last_age_seconds", PageFormat.Age))),
        new("Trouble", false,
            new PairsPart("Dead letters", "dead_letters", PageFormat.Count, "none"),
            new FieldsPart(
                new("Dead letters stored", "dead_letters_stored", PageFormat.Count),
                new("Flood waits", "flood_wait_seconds", PageFormat.Duration),
                new("Pending replies", "pending_replies", PageFormat.Count)),
            new PairsPart("Noise hidden", "noise.hidden", PageFormat.Count, "none"),
            new FieldsPart(
                new PageField("Noise summaries", "noise.summaries", PageFormat.Count))),
    ];

    /// <summary>Writes <see cref="Cards"/> for the page's script: <c>[{"title", "parts": [{"kind", …}]}]</c>, formats in lower case.</summary>
    public static void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartArray();
        foreach (var card in Cards)
        {
            json.WriteStartObject();
            json.WriteString("title", card.Title);
            json.WriteBoolean("wide", card.Wide);
            json.WriteStartArray("parts");
            foreach (var part in card.Parts) WritePart(json, part);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WritePart(Utf8JsonWriter json, PagePart part)
    {
        json.WriteStartObject();
        switch (part)
        {
            case ReadinessPart:
                json.WriteString("kind", "readiness");
                break;
            case FieldsPart fields:
                json.WriteString("kind", "fields");
                WriteFields(json, "fields", fields.Fields);
                break;
            case TablePart table:
                json.WriteString("kind", "table");
                json.WriteString("title", table.Title);
                json.WriteString("path", table.Path);
                json.WriteString("empty", table.Empty);
                WriteFields(json, "columns", table.Columns);
                break;
            case PairsPart pairs:
                json.WriteString("kind", "pairs");
                json.WriteString("title", pairs.Title);
                json.WriteString("path", pairs.Path);
                json.WriteString("format", Name(pairs.Format));
                json.WriteString("empty", pairs.Empty);
                break;
            default:
                throw new InvalidOperationException($"a part the page cannot show: {part.GetType().Name}");
        }
        json.WriteEndObject();
    }

    private static void WriteFields(Utf8JsonWriter json, string name, IEnumerable<PageField> fields)
    {
        json.WriteStartArray(name);
        foreach (var field in fields)
        {
            json.WriteStartObject();
            json.WriteString("label", field.Label);
            json.WriteString("path", field.Path);
            json.WriteString("format", Name(field.Format));
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>A format's name as the script knows it.</summary>
    public static string Name(PageFormat format) => format.ToString().ToLowerInvariant();
}
