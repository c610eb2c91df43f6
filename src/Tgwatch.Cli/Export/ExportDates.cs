using System.CommandLine;
using System.Globalization;

namespace Tgwatch.Cli.Export;

/// <summary>
/// <c>--since</c> and <c>--until</c>: a date (<c>2025-01-01</c>, a day in UTC) or a moment (<c>2025-01-01T12:30:00Z</c>, UTC
/// unless an offset is given). <c>--since</c> is the first moment exported; <c>--until</c> a date takes that whole day in,
/// a moment is where the export stops before.
/// </summary>
internal static class ExportDates
{
    private static readonly string[] Moments = ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm"];

    /// <summary>The <c>--since</c> option: the first moment exported.</summary>
    public static Option<DateTimeOffset?> Since() => Create("--since", "Export from this date (2025-01-01, a day in UTC) or moment (2025-01-01T12:30:00Z) on; default: the chat's first message", endOfDay: false);

    /// <summary>The <c>--until</c> option: the moment the export stops before (the day after a date).</summary>
    public static Option<DateTimeOffset?> Until() => Create("--until", "Export up to this date, that day included (2025-06-30), or up to this moment (2025-06-30T18:00:00Z); default: the chat's newest message", endOfDay: true);

    /// <summary>
    /// <paramref name="text"/> as a moment: a date is its start in UTC (the next day's start when <paramref name="endOfDay"/>);
    /// false when it is neither a date nor a moment.
    /// </summary>
    public static bool TryParse(string text, bool endOfDay, out DateTimeOffset moment)
    {
        var t = text.Trim();
        if (DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            moment = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            if (endOfDay) moment = moment.AddDays(1);
            return true;
        }
        return DateTimeOffset.TryParseExact(t, Moments, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out moment);
    }

    /// <summary>The moment given to <paramref name="option"/> on the command line, when it was given and can be read.</summary>
    public static DateTimeOffset? Given(System.CommandLine.Parsing.CommandResult result, Option<DateTimeOffset?> option, bool endOfDay) =>
        result.GetResult(option) is { Tokens: [.., var last] } && TryParse(last.Value, endOfDay, out var moment) ? moment : null;

    private static Option<DateTimeOffset?> Create(string name, string description, bool endOfDay) => new(name)
    {
        Description = description,
        HelpName = "DATE",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (TryParse(text, endOfDay, out var moment)) return moment;
            result.AddError($"{name} expects a date such as 2025-01-01 or a moment such as 2025-01-01T12:30:00Z, not '{text}'");
            return null;
        },
    };
}
