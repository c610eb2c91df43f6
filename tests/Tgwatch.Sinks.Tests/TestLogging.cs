using Microsoft.Extensions.Logging;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests;

/// <summary>Loggers whose events a test can read back.</summary>
internal sealed class TestLogging : IDisposable
{
    private readonly LoggerFactory _factory;

    public TestLogging()
    {
        _factory = new LoggerFactory([Provider], new LoggerFilterOptions { MinLevel = LogLevel.Trace });
    }

    public CollectingLoggerProvider Provider { get; } = new();

    public IReadOnlyList<CollectingLoggerProvider.Entry> Entries => Provider.Entries;

    public ILogger<T> For<T>() => _factory.CreateLogger<T>();

    /// <summary>Everything logged, messages and exceptions, as one text.</summary>
    public string AllText => string.Join("\n", Entries.Select(e => $"{e.Level} {e.EventId} {e.Message} {e.Exception}"));

    public IReadOnlyList<CollectingLoggerProvider.Entry> WithId(int eventId) => [.. Entries.Where(e => e.EventId.Id == eventId)];

    public void Dispose() => _factory.Dispose();
}
