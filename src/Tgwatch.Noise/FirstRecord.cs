namespace Tgwatch.Noise;

/// <summary>What becomes of the first record of a burst of noise (the first of each source in the burst).</summary>
public enum FirstRecord
{
    /// <summary>Replaced by one line, <c>[tgwatch] suppressed 1× Network: gist (source) (N lines)</c>, counted like a summary.</summary>
    Line,

    /// <summary>Shown as it came, every line of it.</summary>
    Full,

    /// <summary>Hidden and counted in the burst's summary, like the records after it.</summary>
    None,
}

/// <summary>The names of <see cref="FirstRecord"/> values as users write them: <c>full</c>, <c>line</c>, <c>none</c>.</summary>
public static class FirstRecords
{
    /// <summary>The accepted names, for help texts and errors: "full, line or none".</summary>
    public const string Accepted = "full, line or none";

    /// <summary>The value named <paramref name="text"/> (any case), or null when it names none.</summary>
    public static FirstRecord? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "full" => FirstRecord.Full,
        "line" => FirstRecord.Line,
        "none" => FirstRecord.None,
        _ => null,
    };

    /// <summary>The name users write for <paramref name="value"/>.</summary>
    public static string Name(this FirstRecord value) => value switch
    {
        FirstRecord.Full => "full",
        FirstRecord.None => "none",
        _ => "line",
    };
}
