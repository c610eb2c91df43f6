using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Tgwatch.Validation;

/// <summary>
/// A <see cref="TimeSpan"/> within bounds. Bounds are written as .NET writes a <see cref="TimeSpan"/> (<c>1.00:00:00</c>, as a
/// configuration file gives one), and said so in a problem: <c>at most a day (1.00:00:00)</c>.
/// </summary>
public sealed class DurationAttribute : SettingAttribute
{
    /// <summary>More than zero.</summary>
    public bool Positive { get; set; }

    /// <summary>The least value allowed (<c>00:00:00</c>: not negative), if any.</summary>
    public string? AtLeast { get; set; }

    /// <summary>The greatest value allowed, if any.</summary>
    public string? AtMost { get; set; }

    /// <summary><see cref="AtMost"/> in words (<c>a day</c>), when it reads better than a duration.</summary>
    public string? AtMostInWords { get; set; }

    /// <inheritdoc />
    protected override string? Problem(object? value, ValidationContext context)
    {
        if (value is not TimeSpan duration) return null;
        if (Positive && duration <= TimeSpan.Zero) return "must be positive";
        if (AtLeast is not null && duration < Parse(AtLeast))
            return Parse(AtLeast) == TimeSpan.Zero ? "must not be negative" : $"at least {Duration.Format(Parse(AtLeast))} ({AtLeast})";
        if (AtMost is not null && duration > Parse(AtMost))
            return $"at most {AtMostInWords ?? Duration.Format(Parse(AtMost))} ({AtMost})";
        return null;
    }

    private static TimeSpan Parse(string bound) => TimeSpan.ParseExact(bound, "c", CultureInfo.InvariantCulture);
}
