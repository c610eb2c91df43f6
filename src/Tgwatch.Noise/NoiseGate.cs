using System.Globalization;
using System.Text;
using Tgwatch.Faults;

namespace Tgwatch.Noise;

/// <summary>
/// Decides, for records already classified, which are shown and which are counted, and writes the
/// summaries. Network and Timeout records are collapsed: the first record of each source in a burst
/// is replaced by one line, shown as it is, or counted (<see cref="NoiseOptions.First"/>); the rest are
/// counted and reported in one line per kind, at most once per window, when the burst ends, and on
/// <see cref="Flush"/>. Other kinds always pass. Thread-safe.
/// </summary>
/// <remarks>
/// Memory is fixed by the number of sources, which is capped at <see cref="MaxSources"/>. Counting a
/// record inside a burst takes no lock (two atomic adds on the source's monotonic counters); a summary
/// reports what the counters gained since the last one, so a record counted while a summary is being
/// written is reported by the next one: every hidden record and line is reported exactly once.
/// </remarks>
public sealed class NoiseGate
{
    /// <summary>Most sources the gate tells apart; later ones share one "other sources" slot per kind.</summary>
    public const int MaxSources = 256;

    private static readonly FaultKind[] Collapsed = [FaultKind.Network, FaultKind.Timeout];

    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly Action<string> _emit;
    private readonly string _unit;
    private readonly KindState[] _kinds;
    private readonly Source[] _sources = new Source[MaxSources];
    private readonly Dictionary<(string, FaultKind), int> _sourceByLabel = [];
    private readonly long _burstGapTicks;
    private readonly long _windowTicks;
    private readonly FirstRecord _first;
    private int _sourceCount;
    private long _lastTick;

    /// <param name="options">Window, burst gap, and what becomes of a burst's first record.</param>
    /// <param name="time">The clock.</param>
    /// <param name="emit">Receives each summary line (without a line end), under the gate's lock.</param>
    /// <param name="unit">What a hidden item is called in summaries: "lines" for text streams.</param>
    public NoiseGate(NoiseOptions options, TimeProvider time, Action<string> emit, string unit = "lines")
    {
        options.Validate();
        _time = time;
        _emit = emit;
        _unit = unit;
        _first = options.First;
        _kinds = new KindState[Enum.GetValues<FaultKind>().Length];
        foreach (var k in Collapsed) _kinds[(int)k] = new KindState();
        _lastTick = time.GetTimestamp();
        // In the clock's own units, so the hot path compares integers.
        _burstGapTicks = ToTimestampUnits(options.BurstGap, time);
        _windowTicks = ToTimestampUnits(options.Window, time);
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
                foreach (var k in Collapsed) n += PendingOf(k).Items;
                return n;
            }
        }
    }

    /// <summary>Summaries written so far.</summary>
    public int Summaries { get; private set; }

    /// <summary>
    /// Whether the gate has nothing to time: no burst open and nothing waiting for a summary. A <see cref="Tick"/> then does
    /// nothing, so whoever ticks the gate may stop until a record of a collapsed kind comes again.
    /// </summary>
    public bool Idle
    {
        get
        {
            lock (_lock)
            {
                foreach (var k in Collapsed)
                    if (Volatile.Read(ref _kinds[(int)k].InBurst) || PendingOf(k).Records > 0) return false;
                return true;
            }
        }
    }

    /// <summary>
    /// Items (lines, events) hidden so far, by source and kind, whether a summary has reported them yet or not: live counts,
    /// only of the sources that hid any.
    /// </summary>
    public IReadOnlyList<NoiseHidden> Hidden
    {
        get
        {
            var hidden = new List<NoiseHidden>();
            var count = Volatile.Read(ref _sourceCount);
            for (var i = 0; i < count; i++)
                if (Volatile.Read(ref _sources[i]) is { Items: > 0 } source) hidden.Add(new NoiseHidden(source.Label, source.Kind, source.Items));
            return hidden;
        }
    }

    /// <summary>
    /// Registers a source of records of one fault kind (a rule, a logger event) and returns its handle;
    /// the same label and kind give the same handle.
    /// </summary>
    public int AddSource(string label, FaultKind kind)
    {
        lock (_lock)
        {
            if (_sourceByLabel.TryGetValue((label, kind), out var known)) return known;
            if (_sourceCount >= MaxSources - _kinds.Length)
                label = "other sources"; // the last slots: one shared source per kind
            if (_sourceByLabel.TryGetValue((label, kind), out known)) return known;
            Volatile.Write(ref _sources[_sourceCount], new Source(label, kind));
            _sourceByLabel[(label, kind)] = _sourceCount;
            Volatile.Write(ref _sourceCount, _sourceCount + 1);
            return _sourceCount - 1;
        }
    }

    /// <summary>
    /// Takes one record from <paramref name="source"/> made of <paramref name="items"/> items (lines)
    /// and says whether it is shown, counted, or replaced by one line (then the caller calls
    /// <see cref="ReportFirst"/>).
    /// </summary>
    /// <remarks>
    /// For speed this reads the time of the last <see cref="Tick"/> (or of the gate's creation) instead of
    /// the clock: whoever admits records without a timestamp calls <see cref="Tick"/> periodically, and the
    /// tick period is the resolution of burst and window timing.
    /// </remarks>
    public Admission Admit(int source, int items) => Admit(source, items, Volatile.Read(ref _lastTick));

    /// <summary>As <see cref="Admit(int, int)"/>, for a record complete at <paramref name="timestamp"/> (of the gate's clock).</summary>
    public Admission Admit(int source, int items, long timestamp)
    {
        var src = _sources[source];
        if (!Collapses(src.Kind)) return Admission.Show;
        var state = _kinds[(int)src.Kind];
        // Inside a burst this source already had its first record in: count it, no lock.
        if (Volatile.Read(ref state.InBurst) && src.FirstInBurst == Volatile.Read(ref state.Burst)
            && timestamp - Volatile.Read(ref state.LastSeen) < _burstGapTicks)
        {
            if (timestamp > state.LastSeen) Volatile.Write(ref state.LastSeen, timestamp);
            src.Count(items);
            return Admission.Count;
        }
        lock (_lock)
        {
            EmitDue(src.Kind, state, timestamp);
            if (!state.InBurst)
            {
                if (PendingOf(src.Kind).Records == 0) state.CountingSince = timestamp;
                Volatile.Write(ref state.Burst, state.Burst + 1);
                Volatile.Write(ref state.InBurst, true);
            }
            if (timestamp > state.LastSeen) Volatile.Write(ref state.LastSeen, timestamp);
            if (src.FirstInBurst != state.Burst)
            {
                src.FirstInBurst = state.Burst;
                if (_first == FirstRecord.Full) return Admission.Show;
                if (_first == FirstRecord.Line) return Admission.Replace;
            }
            src.Count(items);
            return Admission.Count;
        }
    }

    /// <summary>
    /// Writes the line that stands for the first record of a burst (after <see cref="Admit(int, int, long)"/> said
    /// <see cref="Admission.Replace"/>): <c>[tgwatch] suppressed 1× Network: gist (source) (N lines)</c>. Its
    /// <paramref name="items"/> count as reported, like a summary's.
    /// </summary>
    /// <param name="source">The record's source.</param>
    /// <param name="items">The record's items (lines).</param>
    /// <param name="gist">What the record says, on one line (see <see cref="RecordGist"/>); empty when it says nothing.</param>
    public void ReportFirst(int source, int items, string gist)
    {
        var src = _sources[source];
        var text = string.IsNullOrEmpty(gist)
            ? string.Create(CultureInfo.InvariantCulture, $"[tgwatch] suppressed 1× {src.Kind} ({src.Label}) ({items} {_unit})")
            : string.Create(CultureInfo.InvariantCulture, $"[tgwatch] suppressed 1× {src.Kind}: {gist} ({src.Label}) ({items} {_unit})");
        lock (_lock)
        {
            Reported += items;
            Summaries++;
            _emit(text);
        }
    }

    /// <summary>Writes the summaries that are due now (burst ended, or a window passed).</summary>
    public void Tick()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            Volatile.Write(ref _lastTick, now);
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
                Volatile.Write(ref state.InBurst, false);
                if (PendingOf(k).Records > 0) Emit(k, state, now);
            }
        }
    }

    private static long ToTimestampUnits(TimeSpan span, TimeProvider time) =>
        (long)Math.Min(span.TotalSeconds * time.TimestampFrequency, long.MaxValue / 4);

    private (long Records, long Items) PendingOf(FaultKind kind)
    {
        long records = 0, items = 0;
        for (var i = 0; i < _sourceCount; i++)
        {
            var s = _sources[i];
            if (s.Kind != kind) continue;
            records += s.PendingRecords;
            items += s.PendingItems;
        }
        return (records, items);
    }

    private void EmitDue(FaultKind kind, KindState state, long now)
    {
        if (state.InBurst && now - state.LastSeen >= _burstGapTicks) Volatile.Write(ref state.InBurst, false);
        if (PendingOf(kind).Records == 0) return;
        if (state.HasSummary && now - state.LastSummary < _windowTicks) return;
        if (!state.InBurst || now - state.CountingSince >= _windowTicks)
            Emit(kind, state, now);
    }

    private void Emit(FaultKind kind, KindState state, long now)
    {
        var parts = new List<(string Label, long Records)>();
        long records = 0, items = 0;
        for (var i = 0; i < _sourceCount; i++)
        {
            var s = _sources[i];
            if (s.Kind != kind) continue;
            var (r, n) = s.TakePending();
            if (r == 0 && n == 0) continue;
            records += r;
            items += n;
            parts.Add((s.Label, r));
        }
        parts.Sort((a, b) => b.Records.CompareTo(a.Records));
        var text = new StringBuilder(128);
        text.Append(CultureInfo.InvariantCulture, $"[tgwatch] suppressed {records}× {kind} in the last {Duration.Format(_time.GetElapsedTime(state.CountingSince, now))}:");
        for (var i = 0; i < parts.Count && i < 4; i++)
            text.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? " " : ", ")}{parts[i].Label} {parts[i].Records}");
        if (parts.Count > 4) text.Append(CultureInfo.InvariantCulture, $", {parts.Count - 4} more sources {parts.Skip(4).Sum(p => p.Records)}");
        text.Append(CultureInfo.InvariantCulture, $"{(state.InBurst ? ", still going" : ", all over")} ({items} {_unit})");
        Reported += items;
        Summaries++;
        state.LastSummary = now;
        state.HasSummary = true;
        state.CountingSince = now;
        _emit(text.ToString());
    }

    private sealed class KindState
    {
        public bool InBurst;
        public int Burst;
        public long LastSeen;
        public long CountingSince;
        public long LastSummary;
        public bool HasSummary;
    }

    /// <summary>One source: monotonic counters, and how much of them the summaries have reported.</summary>
    private sealed class Source(string label, FaultKind kind)
    {
        private long _records;
        private long _items;
        private long _reportedRecords;
        private long _reportedItems;

        public string Label { get; } = label;
        public FaultKind Kind { get; } = kind;
        /// <summary>The burst whose first record of this source has been decided on (shown, replaced or counted).</summary>
        public int FirstInBurst = -1;

        public long Items => Volatile.Read(ref _items);

        public long PendingRecords => Volatile.Read(ref _records) - _reportedRecords;
        public long PendingItems => Volatile.Read(ref _items) - _reportedItems;

        public void Count(int items)
        {
            Interlocked.Add(ref _items, items);
            Interlocked.Increment(ref _records);
        }

        /// <summary>What was counted since the last call (under the gate's lock).</summary>
        public (long Records, long Items) TakePending()
        {
            var records = Volatile.Read(ref _records);
            var items = Volatile.Read(ref _items);
            var taken = (records - _reportedRecords, items - _reportedItems);
            _reportedRecords = records;
            _reportedItems = items;
            return taken;
        }
    }
}

/// <summary>What one source of noise has had hidden.</summary>
/// <param name="Source">The source's label (a rule, a logger event).</param>
/// <param name="Kind">The fault kind of its records.</param>
/// <param name="Items">Items hidden (lines, events).</param>
public readonly record struct NoiseHidden(string Source, FaultKind Kind, long Items);
