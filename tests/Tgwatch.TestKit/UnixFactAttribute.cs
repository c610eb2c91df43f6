using Xunit;

namespace Tgwatch.TestKit;

/// <summary>A fact about Unix file modes; skipped on Windows.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    /// <summary>Skips the fact on Windows.</summary>
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "Unix file modes only.";
    }
}
