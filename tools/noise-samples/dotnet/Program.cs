// Generator of real .NET network-failure output for Tgwatch's noise gate.
// Every mode talks to 127.0.0.1 only: a port nobody listens on (connection
// refused) or an in-process server that accepts and resets (RST) each
// connection.  Each mode writes exactly what .NET / the library produced:
// Exception.ToString() plus a newline, or the console logger's output, or
// (mode "unhandled-*") the runtime's own unhandled-exception report.
//
// Usage: NoiseSamples <mode>
//   tostring-http-refused   HttpRequestException from HttpClient to a closed port (stdout)
//   tostring-http-reset     HttpRequestException from HttpClient to a resetting server (stdout)
//   tostring-stream-reset   IOException from NetworkStream.Read after an RST (stdout)
//   tostring-socket-reset   SocketException from Socket.Receive after an RST (stdout)
//   logger                  the exceptions above through Microsoft.Extensions.Logging's
//                           console logger, simple formatter, colours disabled (stdout)
//   unhandled-http-refused  the HttpRequestException left unhandled (runtime writes to stderr)
//   telegrambot-refused     Telegram.Bot RequestException from GetMe to a closed port (stdout)
//   telegrambot-reset       Telegram.Bot RequestException from GetMe to a resetting server (stdout)
//   telegrambot-logger      both Telegram.Bot exceptions through the console logger (stdout)
//   wtelegram-from-source [default|file]
//                           NOT captured from WTelegramClient (not available here): lines built
//                           strictly from WTelegramClient's log format strings (quoted below with
//                           their source lines), filled with real .NET values/exceptions, written
//                           the way its default logger writes them ("default": Console colour +
//                           WriteLine + ResetColor) or with the file logger of its EXAMPLES.md ("file")

using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Telegram.Bot;

namespace NoiseSamples;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var mode = args.Length > 0 ? args[0] : "";
        switch (mode)
        {
            case "tostring-http-refused":
                Print(await CatchAsync(HttpGetRefusedAsync));
                return 0;
            case "tostring-http-reset":
                Print(await CatchAsync(HttpGetResetAsync));
                return 0;
            case "tostring-stream-reset":
                Print(await CatchAsync(StreamReadResetAsync));
                return 0;
            case "tostring-socket-reset":
                Print(await CatchAsync(SocketReceiveResetAsync));
                return 0;
            case "logger":
                {
                    using var factory = CreateConsoleLoggerFactory();
                    var logger = factory.CreateLogger("Tgwatch.Sample.Poller");
                    logger.LogError(await CatchAsync(HttpGetRefusedAsync), "Polling failed, retrying in {Delay} s", 5);
                    logger.LogWarning(await CatchAsync(HttpGetResetAsync), "Request to {Host} failed", "127.0.0.1");
                    logger.LogError(await CatchAsync(StreamReadResetAsync), "Connection lost");
                    logger.LogInformation("Reconnected after {Attempts} attempts", 3);
                }
                return 0;
            case "unhandled-http-refused":
                await HttpGetRefusedAsync();
                return 0;
            case "telegrambot-refused":
                Print(await CatchAsync(TelegramBotRefusedAsync));
                return 0;
            case "telegrambot-reset":
                Print(await CatchAsync(TelegramBotResetAsync));
                return 0;
            case "telegrambot-logger":
                {
                    using var factory = CreateConsoleLoggerFactory();
                    var logger = factory.CreateLogger("Tgwatch.Sample.Bot");
                    logger.LogError(await CatchAsync(TelegramBotRefusedAsync), "GetMe failed");
                    logger.LogError(await CatchAsync(TelegramBotResetAsync), "GetMe failed");
                }
                return 0;
            case "wtelegram-from-source":
                await WTelegramFromSourceAsync(args.Length > 1 ? args[1] : "default");
                return 0;
            default:
                Console.Out.WriteLine("unknown mode; see the comment at the top of Program.cs");
                return 2;
        }
    }

    private static void Print(Exception ex)
    {
        Console.Out.Write(ex.ToString());
        Console.Out.Write('\n');
        Console.Out.Flush();
    }

    private static async Task<Exception> CatchAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            return ex;
        }
        throw new InvalidOperationException("expected a network failure, got none");
    }

    private static ILoggerFactory CreateConsoleLoggerFactory() =>
        LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Information)
            .AddSimpleConsole(o => o.ColorBehavior = LoggerColorBehavior.Disabled));

    /// <summary>A loopback port with nobody listening (bound then released).</summary>
    private static int ClosedPort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    /// <summary>Accepts connections on 127.0.0.1 and resets each (linger 0 + close => RST),
    /// optionally after reading the first bytes the client sends.</summary>
    private sealed class ResetServer : IDisposable
    {
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly Task _loop;

        public ResetServer(bool waitForRequest)
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(16);
            Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
            _loop = Task.Run(async () =>
            {
                while (true)
                {
                    Socket conn;
                    try { conn = await _listener.AcceptAsync(); }
                    catch (Exception) { return; }
                    if (waitForRequest)
                    {
                        var buf = new byte[4096];
                        try { await conn.ReceiveAsync(buf, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(2)); }
                        catch (Exception) { /* reset anyway */ }
                    }
                    conn.LingerState = new LingerOption(true, 0);
                    conn.Close();
                }
            });
        }

        public int Port { get; }

        public void Dispose()
        {
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(2));
        }
    }

    private static async Task HttpGetRefusedAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await http.GetStringAsync($"http://127.0.0.1:{ClosedPort()}/bot123:abc/getMe");
    }

    private static async Task HttpGetResetAsync()
    {
        using var server = new ResetServer(waitForRequest: true);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await http.GetStringAsync($"http://127.0.0.1:{server.Port}/bot123:abc/getMe");
    }

    private static async Task StreamReadResetAsync()
    {
        using var server = new ResetServer(waitForRequest: true);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = client.GetStream();
        stream.Write("ping"u8);
        await Task.Delay(200); // let the RST arrive
        var buf = new byte[16];
        _ = stream.Read(buf, 0, buf.Length);
    }

    private static async Task SocketReceiveResetAsync()
    {
        using var server = new ResetServer(waitForRequest: true);
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(IPAddress.Loopback, server.Port);
        s.Send("ping"u8);
        await Task.Delay(200); // let the RST arrive
        var buf = new byte[16];
        _ = s.Receive(buf);
    }

    private static async Task TelegramBotRefusedAsync()
    {
        var bot = new TelegramBotClient(new TelegramBotClientOptions("123:abc", $"http://127.0.0.1:{ClosedPort()}"));
        await bot.GetMe();
    }

    private static async Task TelegramBotResetAsync()
    {
        using var server = new ResetServer(waitForRequest: true);
        var bot = new TelegramBotClient(new TelegramBotClientOptions("123:abc", $"http://127.0.0.1:{server.Port}"));
        await bot.GetMe();
    }

    // ---- WTelegramClient, from source (wiz0u/WTelegramClient @ 3f1a4ea02563a782210e4611dd4d16cbde4cdf37) ----

    /// <summary>src/Helpers.cs:113-120 (DefaultLogger): colour by level, WriteLine, ResetColor.</summary>
    private static readonly ConsoleColor[] WtLevelToColor = [ ConsoleColor.DarkGray, ConsoleColor.DarkCyan,
        ConsoleColor.Cyan, ConsoleColor.Yellow, ConsoleColor.Red, ConsoleColor.Magenta, ConsoleColor.DarkBlue ];

    private static async Task WTelegramFromSourceAsync(string sink)
    {
        Action<int, string> log = sink == "file"
            // EXAMPLES.md:34: $"{DateTime.Now:yyyy-MM-dd HH:mm:ss} [{"TDIWE!"[lvl]}] {str}"
            ? (lvl, str) => Console.Out.WriteLine($"{DateTime.Now:yyyy-MM-dd HH:mm:ss} [{"TDIWE!"[lvl]}] {str}")
            : (lvl, str) =>
            {
                Console.ForegroundColor = WtLevelToColor[lvl];
                Console.WriteLine(str);
                Console.ResetColor();
            };

        var version = "4.4.7"; // newest tag of the mirror; the real value is the assembly's InformationalVersion
        var mainDc = 2;
        var altDc = 4;
        var endpoint = new IPEndPoint(IPAddress.Parse("149.154.167.51"), 443);
        var altEndpoint = new IPEndPoint(IPAddress.Parse("149.154.167.50"), 443);

        // src/Client.cs:133
        log(1, $"WTelegramClient {version} running under {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        // src/Client.cs:914
        log(2, $"Connecting to {endpoint}...");

        // src/Client.cs:380, ex = a real IOException from NetworkStream.ReadAsync after an RST
        // (WTelegram reads with Helpers.FullReadAsync -> Stream.ReadAsync; the stack frames below are this generator's)
        var readEx = await CatchAsync(NetworkStreamReadAsyncResetAsync);
        log(5, $"{mainDc}>An exception occured in the reactor: {readEx}");

        // reconnect after 5 s (src/Client.cs:395-396): ConnectAsync again
        log(2, $"Connecting to {endpoint}...");
        // src/Client.cs:924, ex = a real SocketException from TcpClient.ConnectAsync to a Telegram address
        // inside a loopback-only network namespace (ENETUNREACH, no packet leaves)
        var sockEx = (SocketException)await CatchAsync(() => TcpConnectAsync(endpoint));
        log(4, $"SocketException {sockEx.SocketErrorCode} ({sockEx.ErrorCode}): {sockEx.Message}");
        // src/Client.cs:935 (alternate addresses of the DC)
        log(2, $"Connecting to {altEndpoint}...");

        // src/Client.cs:924 with a real ECONNREFUSED from a closed loopback port
        var refusedEx = (SocketException)await CatchAsync(() => TcpConnectAsync(new IPEndPoint(IPAddress.Loopback, ClosedPort())));
        log(4, $"SocketException {refusedEx.SocketErrorCode} ({refusedEx.ErrorCode}): {refusedEx.Message}");

        // src/Client.cs:378, ex.Message of src/Client.cs:96 ConnectionShutDown and of a real IOException
        log(3, $"{altDc}>Alt DC disconnected: {"Could not read payload length : Connection shut down"}");
        log(3, $"{altDc}>Alt DC disconnected: {readEx.Message}");
    }

    private static async Task TcpConnectAsync(IPEndPoint ep)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(ep.Address.ToString(), ep.Port);
    }

    private static async Task NetworkStreamReadAsyncResetAsync()
    {
        using var server = new ResetServer(waitForRequest: true);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(new byte[] { 0xEE, 0xEE, 0xEE, 0xEE });
        await Task.Delay(200); // let the RST arrive
        var buf = new byte[4];
        _ = await stream.ReadAsync(buf, 0, 4);
    }
}
