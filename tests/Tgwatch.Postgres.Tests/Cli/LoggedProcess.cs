using System.Diagnostics;
using System.Globalization;

namespace Tgwatch.Postgres.Tests.Cli;

/// <summary>A real tgwatch process, its log (stderr) read line by line as it comes.</summary>
internal sealed class LoggedProcess
{
    private readonly List<string> _lines = [];

    public LoggedProcess(Process process)
    {
        Process = process;
        process.StandardInput.Close();
        Reading = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line) lock (_lines) _lines.Add(line);
        });
        _ = process.StandardOutput.ReadToEndAsync();
    }

    public Process Process { get; }

    public Task Reading { get; }

    public string Pid => Process.Id.ToString(CultureInfo.InvariantCulture);

    public string Log
    {
        get { lock (_lines) return string.Join('\n', _lines); }
    }

    /// <summary>Ends what is still running (woken first, if paused) and writes each one's log to the test's output.</summary>
    public static void EndAll(IEnumerable<(string Name, LoggedProcess Process)> processes, Xunit.Abstractions.ITestOutputHelper output)
    {
        foreach (var (name, p) in processes)
        {
            if (!p.Process.HasExited)
            {
                System.Diagnostics.Process.Start("kill", ["-CONT", p.Pid])!.WaitForExit();
                p.Process.Kill();
            }
            output.WriteLine($"--- {name} {p.Pid}\n{p.Log}");
            p.Process.Dispose();
        }
    }

    public int Count(string text)
    {
        lock (_lines) return _lines.Count(l => l.Contains(text, StringComparison.Ordinal));
    }
}
