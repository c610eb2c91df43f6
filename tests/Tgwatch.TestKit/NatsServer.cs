using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Tgwatch.TestKit;

/// <summary>
/// A real nats-server with JetStream for a test: <c>nats-server -js -a 127.0.0.1 -p PORT -sd DIR</c>, on a free loopback port and a
/// store directory of its own, which <see cref="KillAsync"/> ends with SIGKILL and <see cref="StartAsync"/> starts again on the same
/// port and store. A machine without nats-server fails the test with one line saying what to install.
/// </summary>
public sealed class NatsServer : IAsyncDisposable
{
    /// <summary>Where Debian's package puts the server.</summary>
    public static readonly string[] Paths = ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"];

    private readonly string _program;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private NatsServer(string program, int port, string storeDir)
    {
        _program = program;
        Port = port;
        StoreDir = storeDir;
    }

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Its JetStream store directory (removed with the server).</summary>
    public string StoreDir { get; }

    /// <summary><c>nats://127.0.0.1:PORT</c>.</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>Whether it runs now.</summary>
    public bool Running => _process is { HasExited: false };

    /// <summary>What the server printed so far (all its runs).</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>The server program, or a failed test naming the package to install.</summary>
    public static string Program() =>
        Paths.FirstOrDefault(File.Exists) ?? throw new Xunit.Sdk.XunitException("nats-server is not installed: apt-get install nats-server (Debian's package; test.sh installs it as root)");

    /// <summary>Starts a server on a free port with an empty store; returns once it is ready.</summary>
    public static async Task<NatsServer> StartNewAsync()
    {
        var dir = Some.TempDirectory("tgwatch-nats");
        var server = new NatsServer(Program(), WebhookServer.FreePort(), dir);
        await server.StartAsync();
        return server;
    }

    /// <summary>A server not started yet (<see cref="StartAsync"/> starts it), on a free port with an empty store.</summary>
    public static NatsServer NotStarted()
    {
        var dir = Some.TempDirectory("tgwatch-nats");
        return new NatsServer(Program(), WebhookServer.FreePort(), dir);
    }

    /// <summary>Starts the server (again) on its port and store; returns once it accepts connections with JetStream ready.</summary>
    public async Task StartAsync()
    {
        if (Running) throw new InvalidOperationException("nats-server runs already");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = ProcessRun.Start(_program, ["-js", "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-sd", StoreDir], redirectStdin: false);
        void OnLine(object _, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (_log) _log.AppendLine(e.Data);
            if (e.Data.Contains("Server is ready", StringComparison.Ordinal)) ready.TrySetResult();
        }
        process.ErrorDataReceived += OnLine;
        process.OutputDataReceived += OnLine;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(30)));
        if (first != ready.Task) throw new Xunit.Sdk.XunitException($"nats-server did not start on port {Port}: {Log}");
        // Ready is said once it listens; a connection proves it.
        using var probe = new TcpClient();
        await probe.ConnectAsync("127.0.0.1", Port);
    }

    /// <summary>Kills the server with SIGKILL (no clean shutdown) and waits for its end.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process) return;
        _process = null;
        if (!process.HasExited) process.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(StoreDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
