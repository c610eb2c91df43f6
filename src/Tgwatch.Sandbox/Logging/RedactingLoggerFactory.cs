using System.Collections;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Tgwatch.Sandbox.Logging;

/// <summary>
/// Wraps the logger factory a sandbox is given so that no bot token reaches it, whoever logs (ASP.NET Core's
/// request logs carry the path, and the path carries the token): tokens become <c>bot&lt;redacted&gt;</c>
/// in messages, state values, scopes and exception text.
/// </summary>
internal sealed partial class RedactingLoggerFactory(ILoggerFactory inner, IReadOnlyList<string> tokens) : ILoggerFactory
{
    private const string Mask = "<redacted>";

    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), this);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>The wrapped factory belongs to whoever passed it in.</summary>
    public void Dispose()
    {
    }

    public string Redact(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        var result = PathToken().Replace(text, "bot" + Mask);
        foreach (var token in tokens)
            if (result.Contains(token, StringComparison.Ordinal)) result = result.Replace(token, Mask, StringComparison.Ordinal);
        return result;
    }

    // "bot" and a token, also with the colon percent-encoded, as it appears in request paths.
    [GeneratedRegex(@"bot\d+(?::|%3[Aa])[A-Za-z0-9_-]+", RegexOptions.CultureInvariant)]
    private static partial Regex PathToken();

    private sealed class RedactingLogger(ILogger inner, RedactingLoggerFactory owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull =>
            inner.BeginScope(RedactedState.Of(state, null, owner));

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel)) return;
            var message = owner.Redact(formatter(state, exception));
            if (exception is not null && owner.Redact(exception.ToString()) is var text && text != exception.ToString())
            {
                // The exception's text holds a token: it goes along as redacted text instead.
                message = message + Environment.NewLine + text;
                exception = null;
            }
            inner.Log(logLevel, eventId, RedactedState.Of(state, message, owner), exception, static (s, _) => s.ToString());
        }
    }

    /// <summary>A log state with every value redacted; its text is the redacted message.</summary>
    private sealed class RedactedState(string message, List<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public static RedactedState Of<TState>(TState state, string? message, RedactingLoggerFactory owner)
        {
            var values = new List<KeyValuePair<string, object?>>();
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var (key, value) in pairs)
                    values.Add(new(key, value is null or ValueType ? value : owner.Redact(value.ToString() ?? "")));
            }
            return new RedactedState(message ?? owner.Redact(state?.ToString() ?? ""), values);
        }

        public KeyValuePair<string, object?> this[int index] => values[index];

        public int Count => values.Count;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }
}
