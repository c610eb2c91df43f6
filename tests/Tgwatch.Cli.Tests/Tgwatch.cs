using System.Diagnostics;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>The real <c>tgwatch</c> program, as built next to the tests.</summary>
internal static class Tgwatch
{
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "tgwatch.dll");

    public static Task<ProcessResult> RunAsync(byte[]? stdin, params string[] args) =>
        ProcessRun.RunAsync("dotnet", [Dll, .. args], stdin, TimeSpan.FromSeconds(90));

    public static Process Start(params string[] args) => ProcessRun.Start("dotnet", [Dll, .. args]);

    public static Process StartWith(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        ProcessRun.Start("dotnet", [Dll, .. args], environment: environment);
}
