using System.Globalization;
using System.Text.RegularExpressions;

namespace Tgwatch.Tdlib.Connector;

/// <summary>Reads how long a FLOOD_WAIT asks to wait.</summary>
public static class FloodWait
{
    /// <summary>The wait in "Too Many Requests: retry after N" or "FLOOD_WAIT_N", at least one second; null when the text names none.</summary>
    public static TimeSpan? Of(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var m = Regex.Match(text, @"(?:retry after |FLOOD_WAIT_)(\d{1,7})", RegexOptions.CultureInvariant);
        return m.Success ? TimeSpan.FromSeconds(Math.Max(1, int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))) : null;
    }
}
