using System.ComponentModel.DataAnnotations;
using Tgwatch.Secrets;

namespace Tgwatch.Validation;

/// <summary>A bot token's shape (<see cref="BotToken.IsWellFormed"/>); null only when <see cref="Optional"/>. The token is never said.</summary>
public sealed class BotTokenAttribute : SettingAttribute
{
    /// <summary>Whether the setting may be left out (null): what to do without it is the caller's to say.</summary>
    public bool Optional { get; set; }

    /// <inheritdoc />
    protected override string? Problem(object? value, ValidationContext context) =>
        value is null && Optional || BotToken.IsWellFormed(value as string) ? null : BotToken.Expected;
}
