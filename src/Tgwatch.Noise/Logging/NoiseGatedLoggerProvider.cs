using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Tgwatch.Faults;

namespace Tgwatch.Noise.Logging;

/// <summary>
/// Wraps a logger provider (the console, say) so that log events standing for network noise are
/// collapsed by a <see cref="NoiseGate"/>: an event is noise when its exception is classified Network
/// or Timeout by the <see cref="FaultClassifier"/>, or when its event id is declared noise. Events are
/// grouped by category + event id + fault kind; the first of each burst is replaced by one line (or logged
/// as it is, or counted: <see cref="NoiseOptions.First"/>), the rest are counted and reported in summaries;
/// those lines are logged under the category <c>Tgwatch.Noise</c>. Every other event passes
/// unchanged, with its exception and stack trace.
/// </summary>
/// <remarks>
/// Categories whose messages are another program's log records (TDLib's log, category <c>Tgwatch.Tdlib.Native</c>)
/// can be given rule packs: a message that a rule of a collapsed kind takes is noise of that kind, grouped and
/// counted under the rule's label as <c>tgwatch quiet</c> would count the line.
/// </remarks>
public sealed class NoiseGatedLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    /// <summary>The event id of summary lines.</summary>
    public static readonly EventId SummaryEvent = new(9001, "NoiseSummary");

    private readonly ILoggerProvider _inner;
    private readonly FaultClassifier _classifier;
    private readonly IReadOnlyDictionary<int, FaultKind> _noiseEvents;
    private readonly Dictionary<string, TextRecordGate> _textGates = new(StringComparer.Ordinal);
    private readonly ILogger _summaries;
    private readonly ITimer _ticker;
    private readonly TimeSpan _period;
    private readonly Lock _tickerLock = new();
    private bool _ticking;
    private int _disposed;

    /// <param name="inner">The provider that writes what passes; owned (disposed with this one).</param>
    /// <param name="options">Window, burst gap, and what becomes of a burst's first event.</param>
    /// <param name="time">The clock.</param>
    /// <param name="classifier">Classifies exceptions; <see cref="FaultClassifier.Default"/> when null.</param>
    /// <param name="noiseEvents">Event ids that are noise of the given kind even without an exception.</param>
    /// <param name="textRules">Categories whose message text is classified by rule packs (another program's log records).</param>
    public NoiseGatedLoggerProvider(ILoggerProvider inner, NoiseOptions options, TimeProvider time,
        FaultClassifier? classifier = null, IReadOnlyDictionary<int, FaultKind>? noiseEvents = null,
        IReadOnlyDictionary<string, NoiseRules>? textRules = null)
    {
        _inner = inner;
        _classifier = classifier ?? FaultClassifier.Default;
        _noiseEvents = noiseEvents ?? new Dictionary<int, FaultKind>();
        _summaries = inner.CreateLogger("Tgwatch.Noise");
        Gate = new NoiseGate(options, time, line => _summaries.Log(LogLevel.Warning, SummaryEvent, line, null, static (s, _) => s), unit: "events");
        foreach (var (category, rules) in textRules ?? new Dictionary<string, NoiseRules>())
            _textGates[category] = new TextRecordGate(rules, Gate, options);
        // The gate times in-process events by its last tick: the period is their time resolution. It ticks only while it
        // times a burst or holds a count for a summary (an idle process is not woken for nothing).
        _period = TimeSpan.FromMilliseconds(Math.Clamp(options.BurstGap.TotalMilliseconds / 20, 10, 250));
        _ticker = time.CreateTimer(static p => ((NoiseGatedLoggerProvider)p!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The gate shared by every logger of this provider.</summary>
    public NoiseGate Gate { get; }

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => _textGates.TryGetValue(categoryName, out var text)
        ? new TextGatedLogger(_inner.CreateLogger(categoryName), text, this)
        : new GatedLogger(_inner.CreateLogger(categoryName), categoryName, this);

    /// <inheritdoc />
    public void SetScopeProvider(IExternalScopeProvider scopeProvider)
    {
        if (_inner is ISupportExternalScope scoped) scoped.SetScopeProvider(scopeProvider);
    }

    /// <summary>Writes the pending summaries, then disposes the inner provider.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _ticker.Dispose();
        Gate.Flush();
        _inner.Dispose();
    }

    /// <summary>
    /// Before a noise event is admitted: starts the ticks if they had stopped, the gate's time brought up to now first (the
    /// event is timed by the last tick).
    /// </summary>
    private void Wake()
    {
        if (Volatile.Read(ref _ticking)) return;
        lock (_tickerLock)
        {
            if (_ticking || Volatile.Read(ref _disposed) != 0) return;
            Gate.Tick();
            Volatile.Write(ref _ticking, true);
            _ticker.Change(_period, _period);
        }
    }

    /// <summary>Admits one event of <paramref name="source"/>, the ticks going while the gate has something to time.</summary>
    private Admission Admit(int source)
    {
        Wake();
        var admission = Gate.Admit(source, 1);
        // The ticks may have stopped between the wake and the admission (the gate was idle then): started again.
        if (!Volatile.Read(ref _ticking)) Wake();
        return admission;
    }

    private void Tick()
    {
        Gate.Tick();
        if (!Gate.Idle) return;
        lock (_tickerLock)
        {
            // An event admitted since is seen here (it woke the ticks before its admission, or found them going and is counted).
            if (!Gate.Idle) return;
            Volatile.Write(ref _ticking, false);
            _ticker.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    private FaultKind? KindOf(EventId eventId, Exception? exception)
    {
        if (exception is not null) return _classifier.Classify(exception).Kind;
        return _noiseEvents.TryGetValue(eventId.Id, out var kind) ? kind : null;
    }

    /// <summary>A logger whose messages are foreign log records: classified by their text, each event one item.</summary>
    private sealed class TextGatedLogger(ILogger inner, TextRecordGate text, NoiseGatedLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel)) return;
            if (exception is null && formatter(state, null) is var message && text.SourceOf(message) is { } source)
            {
                var admission = owner.Admit(source);
                if (admission == Admission.Replace) owner.Gate.ReportFirst(source, 1, text.GistOf(message));
                if (admission != Admission.Show) return;
            }
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }

    private sealed class GatedLogger(ILogger inner, string category, NoiseGatedLoggerProvider owner) : ILogger
    {
        private readonly ConcurrentDictionary<(int EventId, FaultKind Kind), int> _sources = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel)) return;
            if (owner.KindOf(eventId, exception) is { } kind && NoiseGate.Collapses(kind))
            {
                var source = SourceOf(eventId, kind);
                var admission = owner.Admit(source);
                if (admission == Admission.Replace)
                    owner.Gate.ReportFirst(source, 1, exception is null ? RecordGist.Of(formatter(state, null)) : RecordGist.Of(exception));
                if (admission != Admission.Show) return;
            }
            inner.Log(logLevel, eventId, state, exception, formatter);
        }

        // The last look-up, packed in one word so threads read it whole: event id, kind, source, valid bit.
        private long _last;

        private int SourceOf(EventId eventId, FaultKind kind)
        {
            var key = ((long)eventId.Id << 32) | ((long)(int)kind << 24);
            var last = Volatile.Read(ref _last);
            if ((last & ~0xFFFFFFL) == key && (last & 0x800000) != 0) return (int)(last & 0xFFFF);
            var source = SourceOfSlow(eventId, kind);
            Volatile.Write(ref _last, key | 0x800000 | (uint)source);
            return source;
        }

        private int SourceOfSlow(EventId eventId, FaultKind kind)
        {
            if (_sources.TryGetValue((eventId.Id, kind), out var source)) return source;
            var label = eventId.Name is { Length: > 0 } name ? $"{category}[{eventId.Id} {name}]" : $"{category}[{eventId.Id}]";
            return _sources.GetOrAdd((eventId.Id, kind), owner.Gate.AddSource(label, kind));
        }
    }
}
