using System.CommandLine;
using Tgwatch.Noise;

namespace Tgwatch.Cli.Commands;

/// <summary>Options that say what becomes of the first record of a burst of noise: <c>full</c>, <c>line</c> or <c>none</c>.</summary>
internal static class FirstRecordOption
{
    // No default value factory: the help would show the enum's own names; absent means NoiseOptions' default (line).
    /// <param name="name">The option's name.</param>
    /// <param name="lead">What the option decides, before the list of its values.</param>
    public static Option<FirstRecord?> Create(string name, string lead) => new(name)
    {
        Description = $"{lead}: line, one line with its gist and line count in its place (default); full, shown as it came; none, only counted in the burst's summary",
        HelpName = "full|line|none",
        CustomParser = result =>
        {
            var token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (FirstRecords.Parse(token) is { } value) return value;
            result.AddError($"{name} expects {FirstRecords.Accepted}, not '{token}'");
            return null;
        },
    };
}
