using System.CommandLine;

namespace Tgwatch.Cli.Commands;

/// <summary>Options that take a duration such as <c>60s</c>, <c>500ms</c>, <c>2m</c>.</summary>
internal static class DurationOption
{
    public static Option<TimeSpan> Create(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = $"{description} (e.g. 60s, 500ms, 2m; default {Duration.Format(defaultValue)})",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (Duration.TryParse(token, out var value) && value > TimeSpan.Zero) return value;
            result.AddError($"{name} expects a positive duration such as 60s, 500ms or 2m, not '{token}'");
            return defaultValue;
        },
    };
}
