using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tgwatch.Noise;

namespace Tgwatch.Bench;

/// <summary>
/// Throughput of <c>tgwatch quiet</c> on a large mixed log, in the same run as
/// <c>grep -F -v 'socket.send() raised exception.'</c> over the same file: the filter in process
/// (lines/s) and the whole program (including its start), each against grep.
/// </summary>
internal static class QuietThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var lines = args.Length == 2 && args[0] == "--lines" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        var root = FindRoot();
        var tgwatchDll = Path.Combine(root, "src", "Tgwatch.Cli", "bin", "Release", "net10.0", "tgwatch.dll");
        if (!File.Exists(tgwatchDll))
        {
            Console.Error.WriteLine($"build the program first: dotnet build -c Release src/Tgwatch.Cli ({tgwatchDll} is missing)");
            return 1;
        }
        var native = PublishNative(root);
        var tool = PublishTool(root);
        var rules = NoiseRules.Load();
        var startOnly = Best(5, () => RunToFile(native, ["quiet"], stdinFile: "/dev/null"));
        Console.WriteLine($"native program start (empty input): {startOnly.TotalMilliseconds:F0} ms");
        foreach (var log in Logs)
        {
            var path = Path.Combine(Path.GetTempPath(), $"tgwatch-bench-{log.Name}-{lines}.log");
            var lineCount = WriteLog(path, lines, log);
            Console.WriteLine();
            Console.WriteLine($"{log.Name} log: {lineCount:N0} lines, {new FileInfo(path).Length / 1e6:F1} MB ({log.Description})");
            var data = await File.ReadAllBytesAsync(path);
            var inProcess = Best(5, () => FilterInProcess(rules, data));
            var grep = Best(5, () => RunToFile("grep", ["-F", "-v", "socket.send() raised exception.", path]));
            var program = Best(5, () => RunToFile(native, ["quiet"], stdinFile: path));
            Console.WriteLine($"grep -F -v (same file):          {grep.TotalMilliseconds,8:F0} ms  {lineCount / grep.TotalSeconds / 1e6,6:F2} M lines/s");
            Console.WriteLine($"TextNoiseFilter in process:      {inProcess.TotalMilliseconds,8:F0} ms  {lineCount / inProcess.TotalSeconds / 1e6,6:F2} M lines/s  ratio to grep {inProcess / grep:F2}x");
            Console.WriteLine($"tgwatch quiet (native):          {program.TotalMilliseconds,8:F0} ms  {lineCount / program.TotalSeconds / 1e6,6:F2} M lines/s  ratio to grep {program / grep:F2}x  (without its start {(program - startOnly) / grep:F2}x)");
            if (log != Logs[0]) continue;
            var toolRun = Best(5, () => RunToFile(tool, ["quiet"], stdinFile: path));
            var built = Best(5, () => RunToFile("dotnet", [tgwatchDll, "quiet"], stdinFile: path));
            Console.WriteLine($"tgwatch quiet (tool, ReadyToRun): {toolRun.TotalMilliseconds,7:F0} ms  {lineCount / toolRun.TotalSeconds / 1e6,6:F2} M lines/s  ratio to grep {toolRun / grep:F2}x");
            Console.WriteLine($"tgwatch quiet (dotnet build output): {built.TotalMilliseconds,4:F0} ms  {lineCount / built.TotalSeconds / 1e6,6:F2} M lines/s  ratio to grep {built / grep:F2}x");
        }
        return 0;
    }

    /// <summary>What a log of the benchmark holds: the share of a log's own lines, and whether every line carries its time.</summary>
    private sealed record LogShape(string Name, int GenuinePercent, bool Stamped, string Description);

    private static readonly LogShape[] Logs =
    [
        new("mixed", 40, false, "40 % the program's own lines, 57 % asyncio/Pyrogram/Telethon/TDLib noise lines, 3 % tracebacks and .NET blocks"),
        new("noisy", 20, false, "20 % own lines, 77 % noise lines, 3 % blocks"),
        new("stamped", 40, true, "the mixed log with a time on every line, as logging's asctime formats write it: no line repeats"),
    ];

    /// <summary>The native executable as "Install" ships it (compiled ahead of time, no JIT); its path.</summary>
    public static string PublishNative(string root) => Publish(root, "native", "-p:PublishAot=true");

    /// <summary>The program as the .NET tool holds it: published with ReadyToRun code (no JIT for its own start); its path.</summary>
    public static string PublishTool(string root) => Publish(root, "tgwatch", "--self-contained", "false", "-p:PublishReadyToRun=true");

    /// <summary>Publishes the program for linux-x64 with <paramref name="how"/> into artifacts/bench/<paramref name="dir"/>; the executable's path.</summary>
    private static string Publish(string root, string dir, params string[] how)
    {
        var published = Path.Combine(root, "artifacts", "bench", dir);
        RunToFile("dotnet", ["publish", Path.Combine(root, "src", "Tgwatch.Cli"), "-c", "Release", "-r", "linux-x64", .. how, "-o", published, "-nologo", "-v", "quiet"]);
        var path = Path.Combine(published, "tgwatch");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} was not published (run the dotnet publish command of README's Install to see why)");
    }

    private static TimeSpan FilterInProcess(NoiseRules rules, byte[] data)
    {
        var options = new NoiseOptions();
        var output = Stream.Null; // the filter's own cost; the program's output cost is in the whole-program figure
        var gate = new NoiseGate(options, TimeProvider.System, _ => { });
        var filter = new TextNoiseFilter(rules, gate, output, TimeProvider.System, options);
        var clock = Stopwatch.StartNew();
        for (var at = 0; at < data.Length; at += 64 * 1024)
            filter.Write(data.AsSpan(at, Math.Min(64 * 1024, data.Length - at)));
        filter.Complete();
        gate.Flush();
        return clock.Elapsed;
    }

    private static TimeSpan RunToFile(string file, string[] args, string? stdinFile = null)
    {
        var info = new ProcessStartInfo("bash") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec \"$0\" \"$@\" < \"$STDIN_FILE\" > \"$STDOUT_FILE\"");
        info.ArgumentList.Add(file);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["STDIN_FILE"] = stdinFile ?? "/dev/null";
        // A real file, not /dev/null: GNU grep stops at the first match when its output is /dev/null.
        info.Environment["STDOUT_FILE"] = Path.Combine(Path.GetTempPath(), "tgwatch-bench.out");
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        process.WaitForExit();
        var elapsed = clock.Elapsed;
        if (process.ExitCode is not (0 or 1)) throw new InvalidOperationException($"{file} exited with {process.ExitCode}");
        return elapsed;
    }

    private static TimeSpan Best(int runs, Func<TimeSpan> measure)
    {
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < runs; i++)
        {
            var t = measure();
            if (t < best) best = t;
        }
        return best;
    }

    private static int WriteLog(string path, int lines, LogShape shape)
    {
        string[] genuine =
        [
            "{0} INFO bot: message {1} from @alice in -1001234567890: hello there, any news?",
            "{0} INFO bot: saved {3} messages to messages.db",
            "sample-app: new message in Channel News: \"the socket of the lamp is broken\"",
        ];
        string[] noise =
        [
            "socket.send() raised exception.",
            "WARNING:asyncio:socket.send() raised exception.",
            "INFO:pyrogram.session.session:[3] Retrying \"updates.GetChannelDifference\" due to: Connection lost",
            "INFO:telethon.network.connection.connection:The server closed the connection",
            "\u001b[1;33m[ 2][t 4][{2}][ConnectionCreator.cpp:868][#1][!ConnectionCreator]\t[149.154.175.50:443] to DcId{{1}}: [PosixError : Network is unreachable : 101 : Failed to connect to [149.154.175.50:443]]\u001b[0m",
        ];
        string[] stampedNoise =
        [
            "{0} WARNING asyncio: socket.send() raised exception.",
            "{0} INFO pyrogram.session.session: [3] Retrying \"updates.GetChannelDifference\" due to: Connection lost",
            "{0} INFO telethon.network.connection.connection: The server closed the connection",
            noise[4],
        ];
        const string traceback = "Traceback (most recent call last):\n  File \"/usr/lib/python3/dist-packages/pyrogram/dispatcher.py\", line 214, in handler_worker\n    await parser(update, users, chats)\nOSError: Connection lost";
        const string dotnet = "fail: Bot.Polling[7]\n      Polling failed\n      System.Net.Http.HttpRequestException: Connection refused (127.0.0.1:1)\n       ---> System.Net.Sockets.SocketException (111): Connection refused\n         at System.Net.Sockets.Socket.ConnectAsync()\n         --- End of inner exception stack trace ---";
        var noiseLines = shape.Stamped ? stampedNoise : noise;
        var random = new Random(1);
        var written = 0;
        var clock = new DateTime(2026, 11, 25, 10, 0, 1, 123);
        var tdlibClock = 1795580300.885102272m;
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        while (written < lines)
        {
            var pick = random.Next(100);
            var template = pick < shape.GenuinePercent ? genuine[random.Next(genuine.Length)]
                : pick < 97 ? noiseLines[random.Next(noiseLines.Length)]
                : pick < 99 ? traceback
                : dotnet;
            if (shape.Stamped)
            {
                // Times move on between lines as a busy log's do: no two lines read the same.
                clock = clock.AddTicks(random.Next(1, 20_000));
                tdlibClock += random.Next(1, 2_000_000) / 1e9m;
            }
            var text = template.Contains('{', StringComparison.Ordinal)
                ? string.Format(CultureInfo.InvariantCulture, template, clock.ToString("yyyy-MM-dd HH:mm:ss,fff", CultureInfo.InvariantCulture),
                    shape.Stamped ? written : 1234, tdlibClock.ToString("F9", CultureInfo.InvariantCulture), shape.Stamped ? 1 + (written % 9) : 3)
                : template;
            writer.Write(text);
            writer.Write('\n');
            written += text.Count(c => c == '\n') + 1;
        }
        return written;
    }

    /// <summary>The repository's root (where Tgwatch.sln is), from the benchmark's own directory.</summary>
    internal static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Tgwatch.sln"))) return dir.FullName;
        throw new InvalidOperationException("run from inside the repository");
    }
}
