namespace Tgwatch.TestKit;

/// <summary>
/// How a test starts the <c>tgwatch</c> program: the native executable named by <c>TGWATCH_PROGRAM</c> (what is shipped:
/// <c>./test.sh</c> publishes it and runs the program's tests on it), or else <c>dotnet tgwatch.dll</c> as built next to
/// the tests.
/// </summary>
public static class ProgramUnderTest
{
    /// <summary>The executable given by the environment, or null for the built assembly.</summary>
    public static string? Native { get; } = Environment.GetEnvironmentVariable("TGWATCH_PROGRAM") is { Length: > 0 } path
        ? System.IO.File.Exists(path) ? Path.GetFullPath(path) : throw new FileNotFoundException($"TGWATCH_PROGRAM names {path}, which does not exist")
        : null;

    /// <summary>The built assembly next to the tests.</summary>
    private static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "tgwatch.dll");

    /// <summary>The file to start.</summary>
    public static string File => Native ?? "dotnet";

    /// <summary>The arguments that start the program with <paramref name="args"/>.</summary>
    public static string[] Arguments(params string[] args) => Native is null ? [Dll, .. args] : args;

    /// <summary>The program as a shell command (quoted), for tests that start it through <c>bash -c</c>.</summary>
    public static string Shell => Native is null ? $"dotnet '{Dll}'" : $"'{Native}'";
}
