using System.Diagnostics;
using Tgwatch.TestKit;

namespace Tgwatch.Postgres.Tests.Cli;

/// <summary>The real <c>tgwatch</c> program, as built next to the tests.</summary>
internal static class Tgwatch
{
    /// <summary>How long a test waits for the program: a bound that catches a hang on a loaded machine, not a speed.</summary>
    public static TimeSpan Patience { get; } = TimeSpan.FromSeconds(60);

    public static Task<ProcessResult> RunAsync(params string[] args) => ProcessRun.RunAsync(ProgramUnderTest.File, ProgramUnderTest.Arguments(args), null, TimeSpan.FromSeconds(90));

    public static Process Start(params string[] args) => ProcessRun.Start(ProgramUnderTest.File, ProgramUnderTest.Arguments(args));

    /// <summary>Starts the program with more environment variables.</summary>
    public static Process StartWith(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        ProcessRun.Start(ProgramUnderTest.File, ProgramUnderTest.Arguments(args), environment: environment);

    /// <summary>
    /// The arguments of a <c>run</c> of the sandbox's bot as one of the runners of a shared state store: a data directory of
    /// its own under <paramref name="dir"/> (as a machine), short polls and backoff, a 4 s lease.
    /// </summary>
    public static string[] Runner(string dir, string name, global::Tgwatch.Sandbox.BotApiSandbox sandbox, string state, string sink)
    {
        var data = Path.Combine(dir, name);
        Directory.CreateDirectory(data);
        var config = Path.Combine(data, "tgwatch.json");
        File.WriteAllText(config, """{"BotApi": {"PollTimeoutSeconds": 1, "HttpMarginSeconds": 2, "MaxBackoff": "00:00:02"}}""");
        return ["run", "--config", config, "--data-dir", data, "--bot-token", sandbox.Token, "--bot-api-url", sandbox.BaseUrl.ToString(),
            "--state", state, "--sink", sink, "--lease", "4s"];
    }
}
