using System.Diagnostics;
using System.Globalization;

namespace Tgwatch.Bench.Peers;

/// <summary>
/// A peer running as a child process, its stdout and stderr in <c>log.txt</c> of its directory (through <c>sh -c exec</c>,
/// so the process measured is the peer itself): its CPU time and memory from /proc while it runs, SIGKILL to end it.
/// </summary>
internal sealed class PeerProcess : IDisposable
{
    private readonly Process _process;

    private PeerProcess(Process process, long started)
    {
        _process = process;
        Started = started;
    }

    /// <summary>The <see cref="Stopwatch"/> timestamp taken just before the process was started.</summary>
    public long Started { get; }

    public int Id => _process.Id;

    public static PeerProcess Start(string[] command, string dir)
    {
        Directory.CreateDirectory(dir);
        var line = $"exec {string.Join(' ', command.Select(Quote))} >>{Quote(Path.Combine(dir, "log.txt"))} 2>&1";
        var start = new ProcessStartInfo("/bin/sh", ["-c", line]) { WorkingDirectory = dir, UseShellExecute = false };
        var started = Stopwatch.GetTimestamp();
        return new PeerProcess(Process.Start(start) ?? throw new InvalidOperationException($"{command[0]} did not start"), started);
    }

    /// <summary>User and system CPU time so far (/proc/PID/stat); the last value read once it has exited.</summary>
    public TimeSpan Cpu()
    {
        try
        {
            return ProcStat.Cpu(File.ReadAllText($"/proc/{Id}/stat"));
        }
        catch (IOException) when (_process.HasExited)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>Resident memory now and at its peak (VmRSS, VmHWM), in bytes.</summary>
    public (long Rss, long Peak) Memory()
    {
        var status = File.ReadAllLines($"/proc/{Id}/status");
        return (ProcStat.Kilobytes(status, "VmRSS:") * 1024, ProcStat.Kilobytes(status, "VmHWM:") * 1024);
    }

    /// <summary>Context switches (voluntary and not) of each of its threads so far, by thread id, from /proc/PID/task/*/status.</summary>
    public Dictionary<int, long> ContextSwitches()
    {
        var switches = new Dictionary<int, long>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{Id}/task"))
        {
            try
            {
                var status = File.ReadAllLines(Path.Combine(task, "status"));
                switches[int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture)] =
                    ProcStat.Number(status, "voluntary_ctxt_switches:") + ProcStat.Number(status, "nonvoluntary_ctxt_switches:");
            }
            catch (IOException)
            {
                // The thread ended meanwhile.
            }
        }
        return switches;
    }

    /// <summary>
    /// How often its threads woke between two readings: each thread's switches since the first (all of them for a thread
    /// started since); a thread that ended between the two takes its count with it (a sum over the threads alive would
    /// go down, even below zero).
    /// </summary>
    public static long SwitchesBetween(IReadOnlyDictionary<int, long> before, IReadOnlyDictionary<int, long> after) =>
        after.Sum(thread => thread.Value - before.GetValueOrDefault(thread.Key));

    public bool HasExited => _process.HasExited;

    /// <summary>kill -9, and waits until it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private static string Quote(string s) => $"'{s.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}

/// <summary>Figures read from /proc files.</summary>
internal static class ProcStat
{
    /// <summary>Clock ticks per second of utime and stime (USER_HZ, 100 on Linux).</summary>
    private const long TicksPerSecond = 100;

    /// <summary>utime + stime of a /proc/PID/stat line (fields 14 and 15; the command name in brackets may hold spaces).</summary>
    public static TimeSpan Cpu(string stat)
    {
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state), so field n is fields[n - 3].
        var ticks = long.Parse(fields[14 - 3], CultureInfo.InvariantCulture) + long.Parse(fields[15 - 3], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds((double)ticks / TicksPerSecond);
    }

    /// <summary>The kB figure of a /proc/PID/status line such as "VmRSS:   70312 kB".</summary>
    public static long Kilobytes(IEnumerable<string> status, string key) => Number(status, key);

    /// <summary>The number of a /proc/PID/status line (tabs and spaces around it, a unit after it).</summary>
    public static long Number(IEnumerable<string> status, string key) =>
        long.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
}
