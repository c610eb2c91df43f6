using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

// Usage: NoisyClient <attempts> [--crash]
// Polls a closed loopback port with HttpClient <attempts> times, logging each failure with its
// exception through the console logger (as a bot's polling loop would), writes a few genuine lines,
// then logs one genuine error and, with --crash, dies of an unhandled exception.
var attempts = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
var crash = args.Contains("--crash");
var port = ClosedPort();
using (var factory = LoggerFactory.Create(b => b
    .AddSimpleConsole(o => { o.ColorBehavior = LoggerColorBehavior.Disabled; o.SingleLine = false; })
    .SetMinimumLevel(LogLevel.Information)))
{
    var log = factory.CreateLogger("Bot.Polling");
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
    Console.WriteLine("noisy-client: starting");
    for (var i = 0; i < attempts; i++)
    {
        try
        {
            await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/getUpdates"));
        }
        catch (HttpRequestException e)
        {
            log.LogWarning(new EventId(7, "PollFailed"), e, "Polling attempt {Attempt} failed", i + 1);
        }
    }
    Console.WriteLine("noisy-client: message 42 from @alice: the socket is fine, Connection lost is a band name");
    try
    {
        File.WriteAllText("/dev/full", new string('x', 65536));
    }
    catch (IOException e)
    {
        log.LogError(new EventId(8, "SaveFailed"), e, "Could not save the message");
    }
}
Console.Out.Flush();
if (crash) throw new InvalidOperationException("noisy-client: a genuine bug");
return 0;

static int ClosedPort()
{
    using var probe = new TcpListener(IPAddress.Loopback, 0);
    probe.Start();
    var port = ((IPEndPoint)probe.LocalEndpoint).Port;
    probe.Stop();
    return port;
}
