namespace Tgwatch.Core.Tests.Faults;

/// <summary>A fact about Linux behaviour (errno values, /dev/full, /proc); skipped elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only: relies on Linux errno values and /dev, /proc.";
        }
    }
}

/// <summary>A theory about Linux behaviour; skipped elsewhere.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only: relies on Linux errno values.";
        }
    }
}
