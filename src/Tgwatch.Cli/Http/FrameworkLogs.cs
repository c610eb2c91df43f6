using Microsoft.Extensions.Logging;

namespace Tgwatch.Cli.Http;

/// <summary>
/// The run's log factory as the web host sees it: ASP.NET Core's own lines only from warnings up (a line per request, or
/// "Now listening on", would be noise beside Tgwatch's start line), and the host's start failure not at all (the run says
/// it in one line: <see cref="Run.RunLog.HttpCannotListen"/>).
/// </summary>
internal sealed class FrameworkLogs(ILoggerFactory inner) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        if (categoryName == "Microsoft.Extensions.Hosting.Internal.Host") return new AtLeast(logger, LogLevel.Critical);
        return categoryName.StartsWith("Microsoft.", StringComparison.Ordinal) ? new AtLeast(logger, LogLevel.Warning) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>The run's factory is the command's to dispose.</summary>
    public void Dispose()
    {
    }

    private sealed class AtLeast(ILogger inner, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
