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
        var period = options.TickPeriod;
        _ticker = time.CreateTimer(static w => ((NoiseGatedTextWriter)w!).Tick(), this, period, period);
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
        }
    }
}
