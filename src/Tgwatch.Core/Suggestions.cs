using F23.StringSimilarity;

namespace Tgwatch;

/// <summary>The "did you mean …?" of a name the program does not know: the known name it most resembles, if one is close.</summary>
public static class Suggestions
{
    /// <summary>
    /// The name of <paramref name="known"/> closest to <paramref name="written"/>, case ignored: the fewest edits (a letter
    /// added, removed or changed, or two letters next to each other swapped), up to a third of the written name's length (at
    /// least one, at most three); else a name that begins with it (<c>PollTimeoutSeconds</c> for <c>PollTimeout</c>). Null
    /// when none is close.
    /// </summary>
    /// <param name="written">The name as the user wrote it.</param>
    /// <param name="known">The names the program knows, as it spells them; the first wins a tie.</param>
    public static string? Closest(string written, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(written);
        ArgumentNullException.ThrowIfNull(known);
        var lower = written.ToLowerInvariant();
        var allowed = Math.Clamp(written.Length / 3, 1, 3);
        string? best = null, longer = null;
        var bestDistance = double.MaxValue;
        var edits = new OptimalStringAlignment();
        foreach (var name in known)
        {
            var candidate = name.ToLowerInvariant();
            var distance = edits.Distance(lower, candidate);
            if (distance <= allowed && distance < bestDistance) (best, bestDistance) = (name, distance);
            if (longer is null && lower.Length >= 4 && candidate.Length > lower.Length && candidate.StartsWith(lower, StringComparison.Ordinal)) longer = name;
        }
        return best ?? longer;
    }
}
