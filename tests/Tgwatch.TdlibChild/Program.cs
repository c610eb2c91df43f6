using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tgwatch.Chaos;
using Tgwatch.Cli.Hosting;
using Tgwatch.Tdlib;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Native;

// Modes:
//   load                 start the TDLib runtime; a TdlibLoadException is one line on stderr and exit 2
//   auth DIR             verbose TDLib log into the callback, a client up to authorizationStateWaitPhoneNumber,
//                        then close; prints "lines N leaks M" (log lines the callback got, and those holding
//                        the api_hash); nothing else on stdout
//   hold DIR             a client with its parameters set on DIR; prints "ready", then waits for stdin to close
//   socks DIR SECONDS MODES [raw|info]
//                        a loopback SOCKS5 fault proxy switching through MODES (comma-separated Socks5Mode names,
//                        equal shares of SECONDS), a client with addProxy to it and its parameters set on DIR, TDLib's
//                        log through the CLI's logging stack (CliLogging) written to stdout; after SECONDS, the client
//                        is closed, the logging disposed (pending summaries written), and a last line printed:
//                        "socks raw N dropped D below B states S,... accepted A greetings G requests R" (B: lines below
//                        the log level); nothing else on stdout. The logging is at debug, or at info with "info". With
//                        "raw", TDLib's lines are printed as the callback got them instead of the logging's output.
if (args is ["socks", var socksDir, var seconds, var modes, .. var rest])
    return await SocksAsync(socksDir, TimeSpan.FromSeconds(double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture)),
        [.. modes.Split(',').Select(Enum.Parse<Socks5Mode>)], rest is ["raw"], rest is ["info"] ? LogLevel.Information : LogLevel.Debug);
try
{
    var host = TdClientHost.Start();
    switch (args[0])
    {
        case "load":
            Console.WriteLine($"loaded {host.LibraryPath}");
            return 0;
        case "auth":
        {
            var lines = 0;
            var leaks = 0;
            host.LogLine += line =>
            {
                Interlocked.Increment(ref lines);
                if (line.Line.Contains(ApiHash, StringComparison.Ordinal)) Interlocked.Increment(ref leaks);
            };
            host.SetLogVerbosity(5);
            await using var client = host.CreateClient();
            await client.SetParametersAsync(Params(args[1]), TimeSpan.FromSeconds(30));
            await WaitForStateAsync(client, "authorizationStateWaitPhoneNumber");
            await client.CloseAsync(TimeSpan.FromSeconds(30));
            // TDLib logs from threads of its own: its last lines come a moment after the close.
            await Task.Delay(300);
            Console.WriteLine($"lines {Volatile.Read(ref lines)} leaks {Volatile.Read(ref leaks)}");
            return 0;
        }
        case "hold":
        {
            await using var client = host.CreateClient();
            await client.SetParametersAsync(Params(args[1]), TimeSpan.FromSeconds(30));
            Console.WriteLine("ready");
            await Console.In.ReadToEndAsync();
            return 0;
        }
        default:
            Console.Error.WriteLine($"unknown mode {args[0]}");
            return 2;
    }
}
catch (TdlibLoadException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

// TDLib's public test credentials from its examples (not a secret of this project).
static TdlibParameters Params(string dir) => new(dir, 94575, ApiHash);


static async Task WaitForStateAsync(TdClient client, string state)
{
    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    await foreach (var update in client.Updates.ReadAllAsync(cts.Token))
        if (update.GetProperty("@type").GetString() == "updateAuthorizationState"
            && update.GetProperty("authorization_state").GetProperty("@type").GetString() == state)
            return;
    throw new InvalidOperationException($"no {state}");
}

static async Task<int> SocksAsync(string dir, TimeSpan length, Socks5Mode[] modes, bool raw, LogLevel level)
{
    // TDLib's warnings show from --log-level debug (its errors always): the gate is seen at work there.
    using var logging = raw ? null : new CliLogging(Console.Out, level, json: false, TimeProvider.System);
    var host = TdClientHost.Start(new TdClientHostOptions { Loggers = logging?.Factory });
    var lines = 0;
    host.LogLine += line =>
    {
        Interlocked.Increment(ref lines);
        if (raw) Console.Out.WriteLine(line.Line);
    };
    await using var proxy = Socks5FaultProxy.Start(new Socks5FaultProxyOptions { InitialMode = modes[0] });
    var states = new List<string>();
    await using (var client = host.CreateClient())
    {
        var added = client.SendAsync(
            new AddProxy(new Proxy("127.0.0.1", proxy.Port, new ProxyTypeSocks5("", "")), Enable: true, Comment: ""), TimeSpan.FromSeconds(30));
        await client.SetParametersAsync(Params(dir), TimeSpan.FromSeconds(30));
        await added;
        using var end = new CancellationTokenSource(length);
        var switches = Task.Run(async () =>
        {
            foreach (var mode in modes.Skip(1))
            {
                // The modes' equal shares of the run, on the real clock TDLib's own timeouts run on.
                await Task.Delay(length / modes.Length, end.Token);
                proxy.SetMode(mode);
            }
        });
        try
        {
            await foreach (var update in client.Updates.ReadAllAsync(end.Token))
                if (update.GetProperty("@type").GetString() == "updateConnectionState")
                    states.Add(update.GetProperty("state").GetProperty("@type").GetString()!);
        }
        catch (OperationCanceledException)
        {
        }
        try { await switches; } catch (OperationCanceledException) { }
        host.SetLogVerbosity(0);
        await client.CloseAsync(TimeSpan.FromSeconds(30));
    }
    // Every line TDLib logged has gone through the logging once the count stands still.
    for (int last = -1, now = Volatile.Read(ref lines); last != now; last = now, now = Volatile.Read(ref lines))
        await Task.Delay(300);
    logging?.Dispose();
    var counters = proxy.Stats;
    Console.Out.WriteLine($"socks raw {Volatile.Read(ref lines)} dropped {TdlibNativeLog.Dropped} below {host.LogLinesBelowLevel} states {string.Join(',', states)} " +
        $"accepted {counters.ConnectionsAccepted} greetings {counters.Greetings} requests {counters.ConnectRequests}");
    return 0;
}

internal partial class Program
{
    private const string ApiHash = "a3406de8d171bb422bb6ddf3bbd800e2";
}
