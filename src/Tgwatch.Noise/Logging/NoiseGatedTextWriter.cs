using System.Text;

namespace Tgwatch.Noise.Logging;

/// <summary>
/// A <see cref="TextWriter"/> for <see cref="Console.SetError"/>: whatever other code writes to
/// stderr goes through the same rule packs and gate as <c>tgwatch quiet</c>, then to the real stderr.
/// </summary>
public sealed class NoiseGatedTextWriter : TextWriter
{
    private readonly Lock _lock = new();
    private readonly Stream _output;
    private readonly SharedOutput _shared;
    private readonly TextNoiseFilter _filter;
    private readonly ITimer _ticker;
    private readonly TimeSpan _period;
    private bool _ticking;
    private readonly Encoder _encoder = new UTF8Encoding(false).GetEncoder();
    private readonly byte[] _bytes = new byte[4096];
    private bool _disposed;

    /// <summary>Gates text on its way to <paramref name="output"/> (owned).</summary>
    public NoiseGatedTextWriter(Stream output, NoiseRules rules, NoiseOptions options, TimeProvider time)
    {
        _output = output;
        _shared = new SharedOutput(output);
        Gate = new NoiseGate(options, time, line =>
        {
            _shared.WriteOwnLine(line);
            output.Flush();
        });
        _filter = new TextNoiseFilter(rules, Gate, _shared.WriterFor(0), time, options);
        // The ticker runs only while the filter holds a record or the gate times a burst: an idle process is not woken for nothing.
        _period = options.TickPeriod;
        _ticker = time.CreateTimer(static w => ((NoiseGatedTextWriter)w!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The gate of this writer.</summary>
    public NoiseGate Gate { get; }

    /// <summary>
    /// Replaces <see cref="Console.Error"/> with a gated writer over the process's real stderr; what it
    /// holds is written at process exit at the latest.
    /// </summary>
    public static NoiseGatedTextWriter InstallForConsoleError(NoiseRules rules, NoiseOptions options, TimeProvider time)
    {
        var writer = new NoiseGatedTextWriter(Console.OpenStandardError(), rules, options, time);
        Console.SetError(TextWriter.Synchronized(writer));
        // Lines held for grouping and pending summaries are written when the process ends.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => writer.Dispose();
        return writer;
    }

    /// <inheritdoc />
    public override Encoding Encoding => Encoding.UTF8;

    /// <inheritdoc />
    public override void Write(char value) => Write([value]);

    /// <inheritdoc />
    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    /// <inheritdoc />
    public override void Write(string? value) => Write(value.AsSpan());

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<char> buffer)
    {
        lock (_lock)
        {
            if (_disposed) return;
            var completed = false;
            while (!completed)
            {
                _encoder.Convert(buffer, _bytes, flush: false, out var used, out var produced, out completed);
                _filter.Write(_bytes.AsSpan(0, produced));
                buffer = buffer[used..];
            }
            _output.Flush();
            if (!_ticking && (_filter.Holding || !Gate.Idle)) StartTicking();
        }
    }

    /// <inheritdoc />
    public override void Flush()
    {
        lock (_lock) _output.Flush();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                if (_disposed) return;
                _disposed = true;
                _ticker.Dispose();
                _filter.Complete();
                _shared.EndOf(0);
                Gate.Flush();
                _shared.Flush();
            }
        }
        base.Dispose(disposing);
    }

    private void Tick()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _filter.Tick();
            Gate.Tick();
            _output.Flush();
            if (!_filter.Holding && Gate.Idle)
            {
                _ticking = false;
                _ticker.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Starts the ticks (under the lock): the gate's time is brought up to now first, as it may have slept long.</summary>
    private void StartTicking()
    {
        _ticking = true;
        Gate.Tick();
        _ticker.Change(_period, _period);
    }
}
