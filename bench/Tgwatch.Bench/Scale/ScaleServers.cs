using Tgwatch.Nats;
using Tgwatch.TestKit;

namespace Tgwatch.Bench.Scale;

/// <summary>
/// The servers of the scale benchmarks, started as the tests start them (<see cref="NatsServer"/>, <see cref="PostgresCluster"/>: a free
/// port on 127.0.0.1, a temporary store, ended with the benchmark). A missing one is one line saying what to install.
/// </summary>
internal static class ScaleServers
{
    /// <summary>Null when both are installed, else the line naming what to install.</summary>
    public static string? Missing(bool nats, bool postgres)
    {
        if (nats && !NatsServer.Paths.Any(File.Exists)) return "nats-server is not installed: apt-get install nats-server";
        if (postgres && !File.Exists(Path.Combine(PostgresCluster.BinDirectory, "initdb"))) return "PostgreSQL 15 is not installed: apt-get install postgresql";
        return null;
    }

    /// <summary>Runs <paramref name="benchmark"/> when its servers are installed; else says what to install and returns 1.</summary>
    public static async Task<int> RequireAsync(bool nats, bool postgres, Func<Task<int>> benchmark)
    {
        if (Missing(nats, postgres) is { } line)
        {
            Console.Error.WriteLine(line);
            return 1;
        }
        return await benchmark();
    }

    /// <summary>The address of a server the benchmark started.</summary>
    public static NatsServerAddress Address(NatsServer server) =>
        NatsServerAddress.TryParse(server.Url, out var address, out var error) ? address! : throw new InvalidOperationException(error);

    /// <summary>The host's load average (1, 5, 15 min) as /proc/loadavg says it, for the figures' context.</summary>
    public static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ')[..3]) : "unknown";
}
