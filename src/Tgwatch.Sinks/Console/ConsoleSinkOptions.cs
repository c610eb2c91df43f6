using Microsoft.Extensions.Options;
using Tgwatch.Validation;

namespace Tgwatch.Sinks.Console;

/// <summary>Settings of a <see cref="ConsoleSink"/>.</summary>
public sealed record ConsoleSinkOptions
{
    /// <summary>Most characters of a message's text shown; longer text ends in <c>…</c>. <value>Default: 200.</value></summary>
    [Between(1, 100_000)]
    public int ExcerptLength { get; init; } = 200;

    /// <summary>Most characters of a replied-to message's text quoted; 0 quotes nothing. <value>Default: 60.</value></summary>
    [Between(0, 10_000)]
    public int QuoteLength { get; init; } = 60;

    /// <summary>When to colour the output. <value>Default: <see cref="ConsoleColorMode.Auto"/>.</value></summary>
    [Defined]
    public ConsoleColorMode Color { get; init; } = ConsoleColorMode.Auto;

    /// <summary>The time zone times are shown in. <value>Default: the machine's local time zone.</value></summary>
    [Given]
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Local;

    /// <summary>The sink's name. <value>Default: <c>console</c>.</value></summary>
    [NotBlank]
    public string Name { get; init; } = "console";

    /// <summary>Checks the settings (<see cref="ConsoleSinkOptionsValidator"/>).</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message has one line for each, naming it.</exception>
    public ConsoleSinkOptions Validate() => new ConsoleSinkOptionsValidator().Check(this);
}

/// <summary>Checks <see cref="ConsoleSinkOptions"/> by the rules on its settings, every problem at once.</summary>
[OptionsValidator]
public sealed partial class ConsoleSinkOptionsValidator : IValidateOptions<ConsoleSinkOptions>;
