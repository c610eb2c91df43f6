using System.CommandLine;
using System.Globalization;

namespace Tgwatch.Cli.Commands;

/// <summary>Options that take a whole number within bounds: anything else is one line saying what is expected.</summary>
internal static class NumberOption
{
    /// <summary>An option of a whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<long> Create(string name, string description, long min, long max, long defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => Parse(result, name, min, max) ?? defaultValue,
    };

    /// <summary>An option of a whole number from <paramref name="min"/> to <paramref name="max"/>, null when not given.</summary>
    public static Option<long?> Optional(string name, string description, long min, long max) => new(name)
    {
        Description = description,
        CustomParser = result => Parse(result, name, min, max),
    };

    private static long? Parse(System.CommandLine.Parsing.ArgumentResult result, string name, long min, long max)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        result.AddError(max == long.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"{name} expects a whole number of {min} or more, not '{text}'")
            : string.Create(CultureInfo.InvariantCulture, $"{name} expects a whole number from {min} to {max}, not '{text}'"));
        return null;
    }
}
