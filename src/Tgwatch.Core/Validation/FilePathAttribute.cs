using System.ComponentModel.DataAnnotations;

namespace Tgwatch.Validation;

/// <summary>A path that can name a file: not blank, no NUL, not ending in '/', not an existing directory.</summary>
public sealed class FilePathAttribute : SettingAttribute
{
    /// <inheritdoc />
    protected override string? Problem(object? value, ValidationContext context) => value switch
    {
        null => "must name a file",
        string s when string.IsNullOrWhiteSpace(s) => "must name a file",
        string s when s.Contains('\0', StringComparison.Ordinal) => "must not contain a NUL character",
        string s when s.EndsWith('/') || Directory.Exists(s) => "must name a file, not a directory",
        _ => null,
    };
}
