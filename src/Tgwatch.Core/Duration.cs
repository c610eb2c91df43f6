using System.Globalization;

namespace Tgwatch;

/// <summary>Short human durations: <c>850ms</c>, <c>1.3s</c>, <c>12s</c>, <c>1m05s</c>, <c>2h05m</c>.</summary>
public static class Duration
{
    /// <summary>Formats <paramref name="d"/> in at most two units (tenths of a second below 10 s); the one way durations are written for people.</summary>
    public static string Format(TimeSpan d)
    {
        if (d < TimeSpan.Zero) d = TimeSpan.Zero;
        if (d < TimeSpan.FromSeconds(1)) return string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalMilliseconds}ms");
        if (d < TimeSpan.FromSeconds(10)) return string.Create(CultureInfo.InvariantCulture, $"{Math.Round(d.TotalSeconds, 1, MidpointRounding.AwayFromZero):0.#}s");
        if (d < TimeSpan.FromMinutes(1)) return string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalSeconds}s");
        if (d < TimeSpan.FromHours(1)) return string.Create(CultureInfo.InvariantCulture, $"{(int)d.TotalMinutes}m{d.Seconds:00}s");
        return string.Create(CultureInfo.InvariantCulture, $"{(long)d.TotalHours}h{d.Minutes:00}m");
    }

    /// <summary>Parses <c>60s</c>, <c>500ms</c>, <c>2m</c>, <c>1h</c>, or a plain number of seconds.</summary>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var s = text.Trim();
        (string suffix, double scale)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)];
        var scale = 1.0;
        foreach (var (suffix, factor) in units)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal) && (suffix != "s" || !s.EndsWith("ms", StringComparison.Ordinal)))
            {
                s = s[..^suffix.Length];
                scale = factor;
                break;
            }
        }
        if (!double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || double.IsInfinity(n * scale) || n * scale > TimeSpan.MaxValue.TotalSeconds / 2)
            return false;
        value = TimeSpan.FromSeconds(n * scale);
        return true;
    }
}
