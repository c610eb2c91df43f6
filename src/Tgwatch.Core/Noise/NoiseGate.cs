using System.Globalization;
using System.Text;
using Tgwatch.Faults;

namespace Tgwatch.Noise;

/// <summary>
/// Decides, for records already classified, which are shown and which are counted, and writes the
/// summaries. Network and Timeout records are collapsed: the first record of each source in a burst
/// is shown, the rest are counted and reported in one line per kind, at most once per window, when
/// the burst ends, and on <see cref="Flush"/>. Other kinds always pass. Thread-safe.
/// </summary>
/// <remarks>Memory is fixed by the number of sources, which is capped at <see cref="MaxSources"/>.</remarks>
public sealed class NoiseGate
{
    /// <summary>Most sources the gate tells apart; later ones share one "other sources" slot.</summary>
    public const int MaxSources = 256;

    private static readonly FaultKind[] Collapsed = [FaultKind.Network, FaultKind.Timeout];

    private readonly Lock _lock = new();
    private readonly NoiseOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<string> _emit;
    private readonly string _unit;
    private readonly KindState[] _kinds;
    private readonly List<Source> _sources = [];
    private readonly Dictionary<string, int> _sourceByLabel = new(StringComparer.Ordinal);

    /// <param name="options">Window and burst gap.</param>
    /// <param name="time">The clock.</param>
    /// <param name="emit">Receives each summary line (without a line end), under the gate's lock.</param>
    /// <param name="unit">What a hidden item is called in summaries: "lines" for text streams.</param>
    public NoiseGate(NoiseOptions options, TimeProvider time, Action<string> emit, string unit = "lines")
    {
        _options = options.Validate();
        _time = time;
        _emit = emit;
        _unit = unit;
        _kinds = new KindState[Enum.GetValues<FaultKind>().Length];
        foreach (var k in Collapsed) _kinds[(int)k] = new KindState();
    }

    /// <summary>True for the kinds the gate collapses: Network and Timeout.</summary>
    public static bool Collapses(FaultKind kind) => kind is FaultKind.Network or FaultKind.Timeout;

    /// <summary>Items hidden and already reported in summaries (Σ L of the summaries written).</summary>
    public long Reported { get; private set; }

    /// <summary>Items hidden and not yet reported.</summary>
    public long Pending
    {
        get
        {
            lock (_lock)
            {
                long n = 0;
                foreach (var k in Collapsed) n += _kinds[(int)k].PendingItems;
                return n;
            }
        }
    }

    /// <summary>Summaries written so far.</summary>
    public int Summaries { get; private set; }

    /// <summary>
    /// Registers a source of records (a rule, a logger event) and returns its handle; the same label
    /// gives the same handle.
    /// </summary>
    public int AddSource(string label)
    {
        lock (_lock)
        {
            if (_sourceByLabel.TryGetValue(label, out var known)) return known;
            if (_sources.Count == MaxSources - 1) _sources.Add(new Source("other sources"));
            if (_sources.Count >= MaxSources) return MaxSources - 1;
            _sources.Add(new Source(label));
            _sourceByLabel[label] = _sources.Count - 1;
            return _sources.Count - 1;
        }
    }

    /// <summary>
    /// Takes one record of <paramref name="kind"/> from <paramref name="source"/> made of
    /// <paramref name="items"/> items (lines); returns true when it is to be shown.
    /// </summary>
    public bool Admit(int source, FaultKind kind, int items) => Admit(source, kind, items, _time.GetTimestamp());

    /// <summary>As <see cref="Admit(int, FaultKind, int)"/>, for a record complete at <paramref name="timestamp"/> (of the gate's clock).</summary>
    public bool Admit(int source, FaultKind kind, int items, long timestamp)
    {
        if (!Collapses(kind)) return true;
        lock (_lock)
        {
            var now = timestamp;
            var state = _kinds[(int)kind];
            EmitDue(kind, state, now);
            if (!state.InBurst)
            {
                state.InBurst = true;
                state.Burst++;
            }
            state.LastSeen = now;
            var src = _sources[source];
            if (src.ShownInBurst != state.Burst || src.ShownKind != kind)
            {
                src.ShownInBurst = state.Burst;
                src.ShownKind = kind;
                return true;
            }
            if (state.PendingRecords == 0) state.PendingSince = now;
            state.PendingRecords++;
            state.PendingItems += items;
            src.Pending[(int)kind]++;
            return false;
        }
    }

    /// <summary>Writes the summaries that are due now (burst ended, or a window passed).</summary>
    public void Tick()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            foreach (var k in Collapsed) EmitDue(k, _kinds[(int)k], now);
        }
    }

    /// <summary>Writes a summary for everything still pending (shutdown, end of input).</summary>
    public void Flush()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            foreach (var k in Collapsed)
            {
                var state = _kinds[(int)k];
                if (state.PendingRecords > 0) Emit(k, state, now);
                state.InBurst = false;
            }
        }
    }

    private void EmitDue(FaultKind kind, KindState state, long now)
    {
        var ended = state.InBurst && _time.GetElapsedTime(state.LastSeen, now) >= _options.BurstGap;
        if (ended) state.InBurst = false;
        if (state.PendingRecords == 0) return;
        if (state.LastSummary is { } last && _time.GetElapsedTime(last, now) < _options.Window) return;
        if (!state.InBurst || _time.GetElapsedTime(state.PendingSince, now) >= _options.Window)
            Emit(kind, state, now);
    }

    private void Emit(FaultKind kind, KindState state, long now)
    {
        var text = new StringBuilder(128);
        text.Append(CultureInfo.InvariantCulture, $"[tgwatch] suppressed {state.PendingRecords}× {kind} in the last {Duration.Format(_time.GetElapsedTime(state.PendingSince, now))}:");
        var parts = _sources.Where(s => s.Pending[(int)kind] > 0).OrderByDescending(s => s.Pending[(int)kind]).ToList();
        for (var i = 0; i < parts.Count && i < 4; i++)
            text.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? " " : ", ")}{parts[i].Label} {parts[i].Pending[(int)kind]}");
        if (parts.Count > 4) text.Append(CultureInfo.InvariantCulture, $", {parts.Count - 4} more sources {parts.Skip(4).Sum(s => s.Pending[(int)kind])}");
        text.Append(CultureInfo.InvariantCulture, $"{(state.InBurst ? ", still going" : ", all over")} ({state.PendingItems} {_unit})");
        foreach (var s in parts) s.Pending[(int)kind] = 0;
        Reported += state.PendingItems;
        Summaries++;
        state.PendingRecords = 0;
        state.PendingItems = 0;
        state.LastSummary = now;
        _emit(text.ToString());
    }

    private sealed class KindState
    {
        public bool InBurst;
        public int Burst;
        public long LastSeen;
        public long PendingSince;
        public long? LastSummary;
        public long PendingRecords;
        public long PendingItems;
    }

    private sealed class Source(string label)
    {
        public string Label { get; } = label;
        public int ShownInBurst = -1;
        public FaultKind ShownKind;
        public readonly long[] Pending = new long[Enum.GetValues<FaultKind>().Length];
    }
}
