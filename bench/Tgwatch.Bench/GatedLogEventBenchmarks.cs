using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Tgwatch.Noise;
using Tgwatch.Noise.Logging;

namespace Tgwatch.Bench;

/// <summary>
/// The cost of one log event of transport noise: suppressed by the gate, against the same event
/// through the plain console logger (which formats it and queues it for its writer thread).
/// </summary>
[MemoryDiagnoser]
public class GatedLogEventBenchmarks
{
    private static readonly Action<ILogger, int, Exception?> PollFailed =
        LoggerMessage.Define<int>(LogLevel.Warning, new EventId(7, "PollFailed"), "Polling attempt {Attempt} failed");

    private readonly Exception _refused = new HttpRequestException("Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused));
    private ILoggerProvider _console = null!;
    private NoiseGatedLoggerProvider _gatedConsole = null!;
    private ILogger _plain = null!;
    private ILogger _gated = null!;
    private ILogger _gatedNull = null!;
    private NoiseGatedLoggerProvider _gatedNullProvider = null!;
    private TextWriter _stdout = null!;

    [GlobalSetup]
    public void Setup()
    {
        _stdout = Console.Out;
        Console.SetOut(TextWriter.Null);
        var options = new ConsoleLoggerOptions();
        _console = new ConsoleLoggerProvider(new StaticOptions(options));
        _plain = _console.CreateLogger("Bot.Polling");
        // A window longer than the run: every event after the first is counted, none is written.
        var noise = new NoiseOptions { Window = TimeSpan.FromDays(1), BurstGap = TimeSpan.FromDays(1) };
        _gatedConsole = new NoiseGatedLoggerProvider(new ConsoleLoggerProvider(new StaticOptions(options)), noise, TimeProvider.System);
        _gated = _gatedConsole.CreateLogger("Bot.Polling");
        _gatedNullProvider = new NoiseGatedLoggerProvider(new EnabledSilentProvider(), noise, TimeProvider.System);
        _gatedNull = _gatedNullProvider.CreateLogger("Bot.Polling");
        PollFailed(_gated, 0, _refused);
        PollFailed(_gatedNull, 0, _refused);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gatedConsole.Dispose();
        _gatedNullProvider.Dispose();
        _console.Dispose();
        Console.SetOut(_stdout);
    }

    /// <summary>The event through the plain console logger.</summary>
    [Benchmark(Baseline = true)]
    public void PlainConsoleLogger() => PollFailed(_plain, 1, _refused);

    /// <summary>The same event through the gate in front of the console logger: counted, not written.</summary>
    [Benchmark]
    public void GatedConsoleLogger_Suppressed() => PollFailed(_gated, 1, _refused);

    /// <summary>The gate alone (its inner logger does nothing but say it is enabled).</summary>
    [Benchmark]
    public void GateOnly_Suppressed() => PollFailed(_gatedNull, 1, _refused);

    private sealed class StaticOptions(ConsoleLoggerOptions value) : IOptionsMonitor<ConsoleLoggerOptions>
    {
        public ConsoleLoggerOptions CurrentValue => value;
        public ConsoleLoggerOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<ConsoleLoggerOptions, string?> listener) => null;
    }

    /// <summary>Loggers that say every level is enabled and write nothing (a null logger says none is).</summary>
    private sealed class EnabledSilentProvider : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public void Dispose() { }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) { }
    }
}
