using System.ComponentModel.DataAnnotations;

namespace Tgwatch.Validation;

/// <summary>
/// A rule on one setting, for the validators <c>[OptionsValidator]</c> generates. A broken rule is one line,
/// <c>Path.Setting: problem</c>, the path as the validator was asked for it (<c>PipelineOptions.BatchSize</c>, or
/// <c>Pipeline.BatchSize</c> for the <c>Pipeline</c> section); the problem says what is expected, never the value (it may be a
/// secret).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public abstract class SettingAttribute : ValidationAttribute
{
    /// <summary>What is wrong with <paramref name="value"/>, in words, or null when nothing is.</summary>
    /// <param name="value">The setting's value.</param>
    /// <param name="context">The options the setting belongs to (<see cref="ValidationContext.ObjectInstance"/>).</param>
    protected abstract string? Problem(object? value, ValidationContext context);

    /// <inheritdoc />
    protected sealed override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        return Problem(value, validationContext) is { } problem
            ? new ValidationResult(problem, [validationContext.DisplayName])
            : ValidationResult.Success;
    }
}
