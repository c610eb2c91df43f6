using Microsoft.Extensions.Options;
using Tgwatch.Validation;

namespace Tgwatch.Sqlite;

/// <summary>Options of <see cref="SqliteStateStore"/>.</summary>
public sealed record SqliteStateStoreOptions
{
    /// <summary>How long processed keys are kept for deduplication by <see cref="SqliteStateStore.PruneProcessedAsync(CancellationToken)"/>.</summary>
    /// <value>30 days: far longer than any redelivery (a restart, a backfill).</value>
    [Duration(AtLeast = "00:00:01", AtMost = "3650.00:00:00", AtMostInWords = "ten years")]
    public TimeSpan ProcessedRetention { get; init; } = TimeSpan.FromDays(30);

    /// <summary>At most this many processed keys are kept (the newest).</summary>
    /// <value>1,000,000 (about 100 MB of keys).</value>
    [Between(1, int.MaxValue)]
    public int MaxProcessedKeys { get; init; } = 1_000_000;

    /// <summary>How long a statement waits for another process holding the file's write lock.</summary>
    /// <value>5 seconds.</value>
    [Duration(AtLeast = "00:00:00", AtMost = "00:10:00")]
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether processed keys are read into an in-memory filter on open (looked up in the file only when the filter
    /// says "maybe"). Off for a process that only reads the store (<c>tgwatch status</c>): opening is then quick
    /// whatever the number of keys, and every look-up asks the file.
    /// </summary>
    /// <value>True.</value>
    public bool KeyFilter { get; init; } = true;

    /// <summary>For a process that only reads the store: no key filter.</summary>
    public static SqliteStateStoreOptions Reading { get; } = new() { KeyFilter = false };

    /// <summary>The defaults.</summary>
    public static SqliteStateStoreOptions Default { get; } = new();
}

/// <summary>Checks <see cref="SqliteStateStoreOptions"/> by the rules on its settings, every problem at once.</summary>
[OptionsValidator]
public sealed partial class SqliteStateStoreOptionsValidator : IValidateOptions<SqliteStateStoreOptions>;
