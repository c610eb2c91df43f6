namespace Tgwatch.TestKit;

/// <summary>Builders of test data shared by the test projects.</summary>
public static class Some
{
    /// <summary>A fresh empty directory under the system temp folder.</summary>
    public static string TempDirectory(string prefix = "tgwatch-test")
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }
}
