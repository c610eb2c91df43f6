using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Tgwatch.Validation;

/// <summary>A whole number from <paramref name="minimum"/> to <paramref name="maximum"/>, both included.</summary>
/// <param name="minimum">The least value allowed.</param>
/// <param name="maximum">The greatest value allowed; <see cref="long.MaxValue"/> or <see cref="int.MaxValue"/> for no bound but the type's.</param>
public sealed class BetweenAttribute(long minimum, long maximum) : SettingAttribute
{
    /// <summary>The least value allowed.</summary>
    public long Minimum { get; } = minimum;

    /// <summary>The greatest value allowed.</summary>
    public long Maximum { get; } = maximum;

    /// <inheritdoc />
    protected override string? Problem(object? value, ValidationContext context)
    {
        if (value is null) return null;
        var n = Convert.ToInt64(value, CultureInfo.InvariantCulture);
        if (n >= Minimum && n <= Maximum) return null;
        return Maximum is int.MaxValue or long.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"at least {Minimum}")
            : string.Create(CultureInfo.InvariantCulture, $"between {Minimum} and {Maximum}");
    }
}
