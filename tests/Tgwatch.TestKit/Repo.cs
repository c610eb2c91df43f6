using System.Reflection;

namespace Tgwatch.TestKit;

/// <summary>Paths inside the repository the tests run from.</summary>
public static class Repo
{
    /// <summary>The repository root (the folder holding Tgwatch.sln).</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration of the running test assembly (Debug or Release).</summary>
    public static string Configuration { get; } =
        Assembly.GetCallingAssembly().GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>A path below the root.</summary>
    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>The built output of a project of this repository, e.g. tests/Tgwatch.NoisyClient.</summary>
    public static string Output(string project, string file) =>
        Path(project, "bin", Configuration, "net10.0", file);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Tgwatch.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Tgwatch.sln above {AppContext.BaseDirectory}");
    }
}
