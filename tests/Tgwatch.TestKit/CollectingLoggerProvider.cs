using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Tgwatch.TestKit;

/// <summary>A logger provider that keeps every event it is given, for assertions.</summary>
public sealed class CollectingLoggerProvider : ILoggerProvider
{
    /// <summary>One logged event.</summary>
    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

    private readonly ConcurrentQueue<Entry> _entries = new();

    /// <summary>Events in the order they were logged.</summary>
    public IReadOnlyList<Entry> Entries => [.. _entries];

    /// <summary>True once disposed.</summary>
    public bool Disposed { get; private set; }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Collector(categoryName, _entries);

    /// <inheritdoc />
    public void Dispose() => Disposed = true;

    private sealed class Collector(string category, ConcurrentQueue<Entry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
