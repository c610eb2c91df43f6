using System.ComponentModel.DataAnnotations;

namespace Tgwatch.Validation;

/// <summary>A <see cref="TimeSpan"/> no shorter than another setting of the same options (a cap above its start).</summary>
/// <param name="other">The other setting's name.</param>
public sealed class NotShorterThanAttribute(string other) : SettingAttribute
{
    /// <summary>The other setting's name.</summary>
    public string Other { get; } = other;

    /// <inheritdoc />
    protected override string? Problem(object? value, ValidationContext context) =>
        value is TimeSpan duration && context.ObjectType.GetProperty(Other)?.GetValue(context.ObjectInstance) is TimeSpan least && duration < least
            ? $"must not be shorter than {Other}"
            : null;
}
