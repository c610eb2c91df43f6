using System.ComponentModel.DataAnnotations;

namespace Tgwatch.Validation;

/// <summary>A string that is either left out (null) or not empty: an empty one would mean "none" in a way nobody meant.</summary>
public sealed class NotEmptyAttribute : SettingAttribute
{
    /// <inheritdoc />
    protected override string? Problem(object? value, ValidationContext context) =>
        value is string { Length: 0 } ? "must not be empty (leave it out for none)" : null;
}
