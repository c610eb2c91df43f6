using System.ComponentModel.DataAnnotations;

namespace Tgwatch.Validation;

/// <summary>A setting that must not be null.</summary>
public sealed class GivenAttribute : SettingAttribute
{
    /// <inheritdoc />
    protected override string? Problem(object? value, ValidationContext context) => value is null ? "must be given" : null;
}
