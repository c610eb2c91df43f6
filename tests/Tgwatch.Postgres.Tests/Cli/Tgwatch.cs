using System.Diagnostics;
using Tgwatch.TestKit;

namespace Tgwatch.Postgres.Tests.Cli;

/// <summary>The real <c>tgwatch</c> program, as built next to the tests.</summary>
internal static class Tgwatch
{
    /// <summary>How long a test waits for the program: a bound that catches a hang on a loaded machine, not a speed.</summary>
    public static TimeSpan Patience { get; } = TimeSpan.FromSeconds(60);

    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "tgwatch.dll");

    public static Task<ProcessResult> RunAsync(params string[] args) => ProcessRun.RunAsync("dotnet", [Dll, .. args], null, TimeSpan.FromSeconds(90));

    public static Process Start(params string[] args) => ProcessRun.Start("dotnet", [Dll, .. args]);
}
