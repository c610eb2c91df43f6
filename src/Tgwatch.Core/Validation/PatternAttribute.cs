using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Tgwatch.Validation;

/// <summary>A string that matches <paramref name="pattern"/> (null is left to other rules); the problem is said as given, without the value.</summary>
/// <param name="pattern">The regular expression the whole value must match (anchor it).</param>
/// <param name="problem">What is expected, in words (<c>expected 32 hexadecimal characters</c>).</param>
public sealed class PatternAttribute(string pattern, string problem) : SettingAttribute
{
    private readonly Regex _regex = new(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>The regular expression.</summary>
    public string Pattern { get; } = pattern;

    /// <summary>What is expected, in words.</summary>
    public string Expected { get; } = problem;

    /// <inheritdoc />
    protected override string? Problem(object? value, ValidationContext context) =>
        value is string s && !_regex.IsMatch(s) ? Expected : null;
}
