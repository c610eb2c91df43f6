using Microsoft.Extensions.Options;
using Tgwatch.Validation;

namespace Tgwatch.Noise;

/// <summary>How the noise gate collapses repeated transport noise.</summary>
public sealed record NoiseOptions
{
    /// <summary>At most one summary per fault kind per window. <value>60 s</value></summary>
    [Duration(Positive = true)]
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A burst ends after this long without a record of its kind. <value>5 s</value></summary>
    [Duration(Positive = true)]
    public TimeSpan BurstGap { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// What becomes of the first record of each source in a burst: one line that stands for it, the record as it
    /// came, or nothing but a count in the burst's summary. <value><see cref="FirstRecord.Line"/></value>
    /// </summary>
    [Defined]
    public FirstRecord First { get; init; } = FirstRecord.Line;

    /// <summary>
    /// How long a complete-looking record may be held waiting for continuation lines before it is
    /// decided on anyway. <value>200 ms</value>
    /// </summary>
    [Duration(AtLeast = "00:00:00")]
    public TimeSpan HoldTime { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A record is closed when it reaches this many lines. <value>500</value></summary>
    [Between(1, int.MaxValue)]
    public int MaxRecordLines { get; init; } = 500;

    /// <summary>A record is closed before it exceeds this many bytes; a longer line passes through unread. <value>64 KiB</value></summary>
    [Between(1024, int.MaxValue)]
    public int MaxRecordBytes { get; init; } = 64 * 1024;

    /// <summary>How often a pump decides on held records and due summaries: half the hold time, 10-250 ms.</summary>
    public TimeSpan TickPeriod => TimeSpan.FromMilliseconds(Math.Clamp(HoldTime.TotalMilliseconds / 2, 10, 250));

    /// <summary>Checks the settings (<see cref="NoiseOptionsValidator"/>).</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message has one line for each.</exception>
    public NoiseOptions Validate() => new NoiseOptionsValidator().Check(this);
}

/// <summary>Checks <see cref="NoiseOptions"/> by the rules on its settings, every problem at once.</summary>
[OptionsValidator]
public sealed partial class NoiseOptionsValidator : IValidateOptions<NoiseOptions>;
