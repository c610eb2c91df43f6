namespace Tgwatch.Noise;

/// <summary>
/// Runs text streams through <see cref="TextNoiseFilter"/>s that share one gate and one output (where
/// no stream's line is ever split by another's, see <see cref="SharedOutput"/>):
/// reads each input to its end, ticks the filters and the gate while input is idle, flushes the
/// output after every read so interactive lines appear at once, and writes the pending summaries
/// when every input has ended.
/// </summary>
public sealed class NoisePump
{
    private readonly NoiseRules _rules;
    private readonly NoiseOptions _options;
    private readonly TimeProvider _time;
    private readonly Stream _output;
    private readonly SharedOutput _shared;
    private readonly Lock _sync = new();
    private readonly List<TextNoiseFilter> _filters = [];
    private bool _closed;

    /// <summary>Creates a pump writing to <paramref name="output"/>.</summary>
    public NoisePump(NoiseRules rules, NoiseOptions options, TimeProvider time, Stream output)
    {
        _rules = rules;
        _options = options.Validate();
        _time = time;
        _output = output;
        _shared = new SharedOutput(output);
        Gate = new NoiseGate(options, time, _shared.WriteOwnLine);
    }

    /// <summary>The gate shared by every input.</summary>
    public NoiseGate Gate { get; }

    /// <summary>Lines read from every input.</summary>
    public long LinesIn => Sum(f => f.LinesIn);

    /// <summary>Lines written unchanged.</summary>
    public long LinesPassed => Sum(f => f.LinesPassed);

    /// <summary>Filters each input to the output until all have ended, then writes the last summaries.</summary>
    public async Task RunAsync(IReadOnlyList<Stream> inputs, CancellationToken ct)
    {
        var filters = inputs.Select((_, i) => new TextNoiseFilter(_rules, Gate, _shared.WriterFor(i), _time, _options)).ToArray();
        lock (_sync) _filters.AddRange(filters);
        using var tickerStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var ticker = TickAsync(filters, tickerStop.Token);
        try
        {
            // Each input is read on a thread of its own with blocking reads: one long pass over a hot
            // loop, without hopping between pool threads (and a blocked read cannot be cancelled anyway:
            // on cancellation the pump stops waiting and closes the output; the reader stays parked).
            var readers = inputs.Select((input, i) => Task.Factory.StartNew(
                () => Read(input, filters[i], i), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
            await Task.WhenAll(readers).WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            await tickerStop.CancelAsync().ConfigureAwait(false);
            await ticker.ConfigureAwait(false);
            // A reader can hold the lock while blocked on a full output pipe: after a cancellation, wait a
            // bounded time for it, then leave without the last words rather than hang.
            if (_sync.TryEnter(ct.IsCancellationRequested ? TimeSpan.FromSeconds(2) : Timeout.InfiniteTimeSpan))
            {
                try
                {
                    _closed = true;
                    for (var i = 0; i < filters.Length; i++)
                    {
                        filters[i].Complete();
                        _shared.EndOf(i);
                    }
                    Gate.Flush();
                    _shared.Flush();
                }
                finally
                {
                    _sync.Exit();
                }
            }
        }
    }

    private void Read(Stream input, TextNoiseFilter filter, int index)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var n = input.Read(buffer);
            lock (_sync)
            {
                if (_closed) return;
                if (n == 0)
                {
                    filter.Complete();
                    _shared.EndOf(index);
                    _output.Flush();
                    return;
                }
                filter.Write(buffer.AsSpan(0, n));
                _output.Flush();
            }
        }
    }

    private async Task TickAsync(TextNoiseFilter[] filters, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(_options.TickPeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                lock (_sync)
                {
                    foreach (var f in filters) f.Tick();
                    Gate.Tick();
                    _output.Flush();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private long Sum(Func<TextNoiseFilter, long> part)
    {
        lock (_sync) return _filters.Sum(part);
    }
}
