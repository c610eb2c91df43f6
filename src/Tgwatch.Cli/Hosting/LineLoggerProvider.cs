using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tgwatch.Secrets;

namespace Tgwatch.Cli.Hosting;

/// <summary>
/// Tgwatch's own log lines: <c>time level category: message</c> (the exception, with its stack trace,
/// on the lines after), or one JSON object per line. Written synchronously, whole lines only.
/// </summary>
internal sealed class LineLoggerProvider(TextWriter output, LogLevel minimum, bool json, bool colour, TimeProvider time) : ILoggerProvider
{
    private readonly Lock _sync = new();

    public ILogger CreateLogger(string categoryName) => new LineLogger(this, categoryName);

    public void Dispose() => Flush();

    public void Flush()
    {
        lock (_sync) output.Flush();
    }

    private void Write(string category, LogLevel level, EventId id, string rawMessage, Exception? exception)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // No secret reaches a log line: not in the message, not in an exception's text.
        var message = SecretRedactor.Default.Redact(rawMessage);
        var exceptionText = exception is null ? null : SecretRedactor.Default.Redact(exception.ToString());
        string line;
        if (json)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("time", now);
                w.WriteString("level", Name(level));
                w.WriteString("category", category);
                if (id.Id != 0) w.WriteNumber("event_id", id.Id);
                w.WriteString("message", message);
                if (exceptionText is not null) w.WriteString("exception", exceptionText);
                w.WriteEndObject();
            }
            line = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        }
        else
        {
            var levelText = Name(level);
            if (colour) levelText = $"{Colour(level)}{levelText}\u001b[0m";
            line = $"{now:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {levelText} {category}: {message}";
            if (exceptionText is not null) line += Environment.NewLine + exceptionText;
        }
        lock (_sync)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private static string Name(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        _ => "crit",
    };

    private static string Colour(LogLevel level) => level switch
    {
        LogLevel.Warning => "\u001b[33m",
        LogLevel.Error or LogLevel.Critical => "\u001b[31m",
        LogLevel.Information => "\u001b[32m",
        _ => "\u001b[90m",
    };

    private sealed class LineLogger(LineLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= provider.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            provider.Write(category, logLevel, eventId, formatter(state, exception), exception);
        }
    }

    private LogLevel Minimum => minimum;
}
