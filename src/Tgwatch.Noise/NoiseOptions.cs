namespace Tgwatch.Noise;

/// <summary>How the noise gate collapses repeated transport noise.</summary>
public sealed record NoiseOptions
{
    /// <summary>At most one summary per fault kind per window. <value>60 s</value></summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A burst ends after this long without a record of its kind. <value>5 s</value></summary>
    public TimeSpan BurstGap { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// What becomes of the first record of each source in a burst: one line that stands for it, the record as it
    /// came, or nothing but a count in the burst's summary. <value><see cref="FirstRecord.Line"/></value>
    /// </summary>
    public FirstRecord First { get; init; } = FirstRecord.Line;

    /// <summary>
    /// How long a complete-looking record may be held waiting for continuation lines before it is
    /// decided on anyway. <value>200 ms</value>
    /// </summary>
    public TimeSpan HoldTime { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A record is closed when it reaches this many lines. <value>500</value></summary>
    public int MaxRecordLines { get; init; } = 500;

    /// <summary>A record is closed before it exceeds this many bytes; a longer line passes through unread. <value>64 KiB</value></summary>
    public int MaxRecordBytes { get; init; } = 64 * 1024;

    /// <summary>How often a pump decides on held records and due summaries: half the hold time, 10-250 ms.</summary>
    public TimeSpan TickPeriod => TimeSpan.FromMilliseconds(Math.Clamp(HoldTime.TotalMilliseconds / 2, 10, 250));

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public NoiseOptions Validate()
    {
        if (Window <= TimeSpan.Zero) throw new ArgumentException("window must be positive");
        if (BurstGap <= TimeSpan.Zero) throw new ArgumentException("burst gap must be positive");
        if (HoldTime < TimeSpan.Zero) throw new ArgumentException("hold time must not be negative");
        if (MaxRecordLines < 1) throw new ArgumentException("max record lines must be at least 1");
        if (MaxRecordBytes < 1024) throw new ArgumentException("max record bytes must be at least 1024");
        if (!Enum.IsDefined(First)) throw new ArgumentException($"first must be {FirstRecords.Accepted}");
        return this;
    }
}
