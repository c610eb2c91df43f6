namespace Tgwatch.Sinks.Console;

/// <summary>When the console sink colours its lines.</summary>
public enum ConsoleColorMode
{
    /// <summary>Only when the output is a terminal (and <c>NO_COLOR</c> is not set).</summary>
    Auto,

    /// <summary>Always, even into a pipe or file.</summary>
    Always,

    /// <summary>Never.</summary>
    Never,
}
