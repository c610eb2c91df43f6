using System.Diagnostics;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>The real <c>tgwatch</c> program, as built next to the tests.</summary>
internal static class Tgwatch
{
    /// <summary>
    /// How long a test waits for the program to start, answer, write or stop: a bound that catches a hang, not a speed.
    /// A child process on a loaded machine (the suite runs test classes in parallel, each with its own processes, on two
    /// cores) can be starved of CPU for tens of seconds while it starts or stops.
    /// </summary>
    public static TimeSpan Patience { get; } = TimeSpan.FromSeconds(60);

    /// <summary>The program as a shell command (quoted), for tests that start it through <c>bash -c</c>.</summary>
    public static string Shell => ProgramUnderTest.Shell;

    public static Task<ProcessResult> RunAsync(byte[]? stdin, params string[] args) =>
        ProcessRun.RunAsync(ProgramUnderTest.File, ProgramUnderTest.Arguments(args), stdin, TimeSpan.FromSeconds(90));

    public static Process Start(params string[] args) => ProcessRun.Start(ProgramUnderTest.File, ProgramUnderTest.Arguments(args));

    public static Task<ProcessResult> RunWithAsync(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        ProcessRun.WaitAsync(StartWith(environment, args), null, TimeSpan.FromSeconds(90));

    public static Process StartWith(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        ProcessRun.Start(ProgramUnderTest.File, ProgramUnderTest.Arguments(args), environment: environment);
}
