using System.Globalization;
using System.Text;

namespace Tgwatch.Tdlib.Connector.Export;

/// <summary>What an export reads: one chat's messages from <see cref="Since"/> (inclusive) to <see cref="Before"/> (exclusive), oldest first.</summary>
/// <param name="Chat">The chat: an id (<c>-1001234567890</c>) or a public <c>@username</c>.</param>
/// <param name="Since">The first moment exported; null: from the chat's first message.</param>
/// <param name="Before">The moment the export stops before; null: up to the chat's newest message when the export starts.</param>
public sealed record HistoryRange(string Chat, DateTimeOffset? Since = null, DateTimeOffset? Before = null)
{
    /// <summary>The prefix of an export's stream names.</summary>
    public const string StreamPrefix = "export:";

    /// <summary>
    /// At most this many messages in one export (the next export with the same range goes on after them); null: the whole range.
    /// </summary>
    public long? Limit { get; init; }

    /// <summary>
    /// The export's own checkpoint stream: <c>export:&lt;chat id&gt;</c>, then <c>:since=…</c> and <c>:before=…</c> when given
    /// (a date alone when the moment is midnight UTC). The same range resumes the same stream; another range is another
    /// export, so a range started earlier never hides part of a new one.
    /// </summary>
    public string StreamOf(long chatId)
    {
        var name = new StringBuilder(StreamPrefix).Append(chatId.ToString(CultureInfo.InvariantCulture));
        if (Since is { } since) name.Append(":since=").Append(Format(since));
        if (Before is { } before) name.Append(":before=").Append(Format(before));
        return name.ToString();
    }

    /// <summary>A moment as a stream name holds it: <c>2025-01-01</c> at midnight UTC, else <c>2025-01-01T12:30:00Z</c>.</summary>
    public static string Format(DateTimeOffset moment)
    {
        var utc = moment.UtcDateTime;
        return utc.TimeOfDay == TimeSpan.Zero
            ? utc.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>Checks the range: a chat that can be read, a limit of at least one, and a start before the end.</summary>
    /// <exception cref="ArgumentException">The range is wrong (one line saying how).</exception>
    public HistoryRange Validate()
    {
        if (!ChatSpec.TryParse(Chat, out _, out var error)) throw new ArgumentException(error, nameof(Chat));
        if (Limit is < 1) throw new ArgumentException($"the limit must be at least 1, not {Limit}", nameof(Limit));
        if (Since is { } since && Before is { } before && since >= before)
            throw new ArgumentException($"the range is empty: it starts at {Format(since)} and stops before {Format(before)}", nameof(Before));
        return this;
    }
}
