using System.Diagnostics;
using System.Text;

namespace Tgwatch.TestKit;

/// <summary>The outcome of a program run to its end.</summary>
public sealed record ProcessResult(int ExitCode, byte[] Stdout, string Stderr)
{
    /// <summary>Stdout as UTF-8 text.</summary>
    public string Output => Encoding.UTF8.GetString(Stdout);

    /// <summary>Stdout split into lines (without line ends).</summary>
    public IReadOnlyList<string> Lines => Output.Split('\n') is var l && l.Length > 0 && l[^1].Length == 0 ? l[..^1] : Output.Split('\n');
}

/// <summary>Runs a program with captured stdout and stderr and a time limit.</summary>
public static class ProcessRun
{
    private static readonly System.Collections.Concurrent.ConcurrentQueue<Process> Started = new();

    static ProcessRun() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillLeftOvers();

    /// <summary>A test that failed before it stopped its program leaves nothing running past the test run.</summary>
    private static void KillLeftOvers()
    {
        foreach (var process in Started)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Gone already.
            }
        }
    }

    /// <summary>Starts <paramref name="file"/> with <paramref name="args"/>, output captured; killed at the end of the test run if still running.</summary>
    public static Process Start(string file, IEnumerable<string> args, bool redirectStdin = true, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectStdin,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        Started.Enqueue(process);
        return process;
    }

    /// <summary>Runs to the end; kills it and throws when it outlives <paramref name="timeout"/>.</summary>
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, byte[]? stdin = null, TimeSpan? timeout = null)
    {
        using var process = Start(file, args);
        return await WaitAsync(process, stdin, timeout ?? TimeSpan.FromSeconds(60));
    }

    /// <summary>Feeds stdin, collects the output and waits for the end of a started process.</summary>
    public static async Task<ProcessResult> WaitAsync(Process process, byte[]? stdin, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var stdout = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout, cts.Token);
        var readErr = process.StandardError.ReadToEndAsync(cts.Token);
        if (process.StartInfo.RedirectStandardInput)
        {
            if (stdin is not null)
            {
                try { await process.StandardInput.BaseStream.WriteAsync(stdin, cts.Token); }
                catch (IOException) { /* the program stopped reading */ }
            }
            process.StandardInput.Close();
        }
        try
        {
            await Task.WhenAll(copyOut, readErr, process.WaitForExitAsync(cts.Token));
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{process.StartInfo.FileName} {string.Join(' ', process.StartInfo.ArgumentList)} did not finish within {timeout}");
        }
        return new ProcessResult(process.ExitCode, stdout.ToArray(), await readErr);
    }
}
