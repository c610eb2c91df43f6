using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Tgwatch.TestKit;

/// <summary>
/// A throwaway PostgreSQL 15 cluster for the tests of one test process: made by <c>initdb</c> in a temporary directory,
/// started by <c>pg_ctl</c> on 127.0.0.1 and a free port, its socket in that directory, run as the <c>postgres</c> user
/// when the tests run as root (PostgreSQL refuses root), stopped and removed when the process ends. Connections over TCP
/// need the superuser's password (scram-sha-256), so that a test of a password in a connection string is a real one.
/// Each test takes a database of its own (<see cref="CreateDatabaseAsync"/>).
/// </summary>
/// <remarks>No PostgreSQL installed is a failure with one line saying what to install, never a skipped test.</remarks>
public sealed class PostgresCluster
{
    /// <summary>Where Debian's <c>postgresql-15</c> puts its programs.</summary>
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private static readonly Lazy<Task<PostgresCluster>> Shared = new(() => OperatingSystem.IsWindows() ? throw new PlatformNotSupportedException("the PostgreSQL tests run on Linux") : StartAsync());
    private int _databases;

    private PostgresCluster(string directory, int port, string password)
    {
        Directory = directory;
        Port = port;
        Password = password;
    }

    /// <summary>The cluster's directory (data in <c>data/</c>, its socket and its log here).</summary>
    public string Directory { get; }

    /// <summary>The TCP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The superuser's (<c>postgres</c>) password.</summary>
    public string Password { get; }

    private string DataDirectory => Path.Combine(Directory, "data");

    /// <summary>The cluster of this test process, started at the first call.</summary>
    /// <exception cref="InvalidOperationException">PostgreSQL 15 is not installed (one line: what to install), or it cannot start.</exception>
    public static Task<PostgresCluster> SharedAsync() => Shared.Value;

    /// <summary>A connection string to <paramref name="database"/> as the superuser, over TCP.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Database={database};Username=postgres;Password={Password}";

    /// <summary>A new, empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "t")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture)}_{Guid.NewGuid():N}";
        name = name[..Math.Min(name.Length, 40)].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(ConnectionString() + ";Pooling=false");
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Runs SQL in a database, as the superuser; returns the first column of the first row (null for none).</summary>
    public static async Task<object?> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    /// <summary>The rows of the sink's table <c>tgwatch_messages</c>; 0 while no sink has made it yet.</summary>
    public static async Task<long> MessageRowsAsync(string connectionString)
    {
        try
        {
            return (long)(await QueryAsync(connectionString, "SELECT count(*) FROM tgwatch_messages"))!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static async Task<PostgresCluster> StartAsync()
    {
        var initdb = Path.Combine(BinDirectory, "initdb");
        if (!File.Exists(initdb))
            throw new InvalidOperationException($"PostgreSQL 15 is not installed ({initdb} is missing): install it with 'apt-get install postgresql' (Debian), which test.sh does as root");
        var asRoot = Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root" || GetEuid() == 0;
        var directory = Path.Combine(Path.GetTempPath(), $"tgwatch-pg-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(directory);
        // The postgres user writes its data, socket and log here.
        if (asRoot) File.SetUnixFileMode(directory, (UnixFileMode)0x1FF); // 0777
        var password = $"pg-{Guid.NewGuid():N}";
        var pwfile = Path.Combine(directory, "pwfile");
        await File.WriteAllTextAsync(pwfile, password + "\n");
        if (asRoot) File.SetUnixFileMode(pwfile, (UnixFileMode)0x1A4); // 0644: read by initdb as postgres, removed right after
        var port = FreePort();
        var cluster = new PostgresCluster(directory, port, password);
        await RunAsync(asRoot, initdb, "-D", cluster.DataDirectory, "-U", "postgres", "--pwfile", pwfile, "--auth-local=trust", "--auth-host=scram-sha-256",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync");
        File.Delete(pwfile);
        var options = string.Join(' ',
            $"-p {port.ToString(CultureInfo.InvariantCulture)}", $"-k {directory}", "-c listen_addresses=127.0.0.1", "-c max_connections=400",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off", "-c shared_buffers=32MB");
        await RunAsync(asRoot, Path.Combine(BinDirectory, "pg_ctl"), "-D", cluster.DataDirectory, "-l", Path.Combine(directory, "postgres.log"), "-o", options, "-w", "-t", "60", "start");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop(asRoot);
        return cluster;
    }

    /// <summary>
    /// Stops the cluster at once (nothing in it is kept) and removes its directory, in a shell of its own: it finishes even
    /// when the test process is made to end before it.
    /// </summary>
    private void Stop(bool asRoot)
    {
        var pgCtl = $"{Path.Combine(BinDirectory, "pg_ctl")} -D '{DataDirectory}' -m immediate -w -t 30 stop";
        var script = $"{(asRoot ? $"runuser -u postgres -- {pgCtl}" : pgCtl)} >/dev/null 2>&1; rm -rf '{Directory}'";
        try
        {
            using var shell = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", script]) { UseShellExecute = false });
            shell?.WaitForExit(TimeSpan.FromSeconds(20));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // The process is ending; a cluster left behind is in a temporary directory.
        }
    }

    private static async Task RunAsync(bool asRoot, string program, params string[] args)
    {
        var info = new ProcessStartInfo(asRoot ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asRoot)
        {
            foreach (var a in (string[])["-u", "postgres", "--", program]) info.ArgumentList.Add(a);
        }
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(program)} did not finish within 120 s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed (exit {process.ExitCode}): {(await error).Trim()} {(await output).Trim()}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEuid();
}
