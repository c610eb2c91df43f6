using Xunit;

namespace Tgwatch.TestKit;

/// <summary>A fact about Unix file modes; skipped on Windows.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    /// <summary>Skips the fact on Windows.</summary>
    public UnixFactAttribute() => Skip = PlatformSkip.UnlessUnix;
}

/// <summary>A fact about Linux behaviour (errno values, /dev/full, /proc); skipped elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    /// <summary>Skips the fact on every system but Linux.</summary>
    public LinuxFactAttribute() => Skip = PlatformSkip.UnlessLinux;
}

/// <summary>A theory about Linux behaviour (errno values); skipped elsewhere.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    /// <summary>Skips the theory on every system but Linux.</summary>
    public LinuxTheoryAttribute() => Skip = PlatformSkip.UnlessLinux;
}

/// <summary>Why a test that needs one kind of system is skipped on this one; null where it runs.</summary>
internal static class PlatformSkip
{
    /// <summary>Unix file modes: every system but Windows has them.</summary>
    public static string? UnlessUnix => OperatingSystem.IsWindows() ? "Unix file modes only." : null;

    /// <summary>Linux's errno values, /dev/full and /proc.</summary>
    public static string? UnlessLinux => OperatingSystem.IsLinux() ? null : "Linux only: relies on Linux errno values and /dev, /proc.";
}
