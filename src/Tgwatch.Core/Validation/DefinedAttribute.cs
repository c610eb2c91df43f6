using System.ComponentModel.DataAnnotations;

namespace Tgwatch.Validation;

/// <summary>An enum value that has a name (not a number cast to the enum).</summary>
public sealed class DefinedAttribute : SettingAttribute
{
    /// <inheritdoc />
    protected override string? Problem(object? value, ValidationContext context) =>
        value is Enum e && !Enum.IsDefined(e.GetType(), e) ? $"one of {string.Join(", ", Enum.GetNames(e.GetType()))}" : null;
}
