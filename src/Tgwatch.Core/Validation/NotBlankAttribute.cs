using System.ComponentModel.DataAnnotations;

namespace Tgwatch.Validation;

/// <summary>A string with more than white space in it; null only when <see cref="Optional"/>.</summary>
public sealed class NotBlankAttribute : SettingAttribute
{
    /// <summary>Whether the setting may be left out (null).</summary>
    public bool Optional { get; set; }

    /// <inheritdoc />
    protected override string? Problem(object? value, ValidationContext context) => value switch
    {
        null => Optional ? null : "must be given",
        string s when string.IsNullOrWhiteSpace(s) => Optional ? "must not be blank (leave it out for the default)" : "must not be blank",
        _ => null,
    };
}
