using System.Globalization;

namespace Tgwatch.Cli.Hosting;

/// <summary>How a setting or flag gives a duration: <c>30s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>, a number of seconds, or <c>00:00:30</c>.</summary>
internal static class SettingDuration
{
    public static bool TryParse(string text, out TimeSpan value) =>
        Duration.TryParse(text, out value) || TimeSpan.TryParseExact(text.Trim(), "c", CultureInfo.InvariantCulture, out value);
}
