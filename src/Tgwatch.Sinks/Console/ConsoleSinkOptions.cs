namespace Tgwatch.Sinks.Console;

/// <summary>Settings of a <see cref="ConsoleSink"/>.</summary>
public sealed record ConsoleSinkOptions
{
    /// <summary>Most characters of a message's text shown; longer text ends in <c>…</c>. <value>Default: 200.</value></summary>
    public int ExcerptLength { get; init; } = 200;

    /// <summary>Most characters of a replied-to message's text quoted; 0 quotes nothing. <value>Default: 60.</value></summary>
    public int QuoteLength { get; init; } = 60;

    /// <summary>When to colour the output. <value>Default: <see cref="ConsoleColorMode.Auto"/>.</value></summary>
    public ConsoleColorMode Color { get; init; } = ConsoleColorMode.Auto;

    /// <summary>The time zone times are shown in. <value>Default: the machine's local time zone.</value></summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Local;

    /// <summary>The sink's name. <value>Default: <c>console</c>.</value></summary>
    public string Name { get; init; } = "console";

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message (one line) names it.</exception>
    public ConsoleSinkOptions Validate()
    {
        if (ExcerptLength is < 1 or > 100_000)
            throw new ArgumentException($"ConsoleSinkOptions.ExcerptLength must be between 1 and 100000 (was {ExcerptLength})", nameof(ExcerptLength));
        if (QuoteLength is < 0 or > 10_000)
            throw new ArgumentException($"ConsoleSinkOptions.QuoteLength must be between 0 and 10000 (was {QuoteLength})", nameof(QuoteLength));
        if (!Enum.IsDefined(Color))
            throw new ArgumentException($"ConsoleSinkOptions.Color must be Auto, Always or Never (was {(int)Color})", nameof(Color));
        if (TimeZone is null)
            throw new ArgumentException("ConsoleSinkOptions.TimeZone must be set", nameof(TimeZone));
        if (string.IsNullOrWhiteSpace(Name))
            throw new ArgumentException("ConsoleSinkOptions.Name must not be blank", nameof(Name));
        return this;
    }
}
