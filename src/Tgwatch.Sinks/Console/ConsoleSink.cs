using System.Text;
using Tgwatch.Messages;
using Tgwatch.Pipeline;

namespace Tgwatch.Sinks.Console;

/// <summary>
/// Prints one readable line per message (see <see cref="ConsoleSinkOptions"/> for the excerpt lengths and
/// colours). A batch is one write. Odd messages (no sender, no text, huge text, control characters) never
/// make it throw; a failing output (a closed pipe) does.
/// </summary>
public sealed class ConsoleSink : IMessageSink
{
    private readonly TextWriter _output;
    private readonly ConsoleLineFormatter _formatter;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly StringBuilder _lines = new();

    /// <summary>Prints to standard output, in colour when it is a terminal (and <c>NO_COLOR</c> is not set) or when forced.</summary>
    /// <param name="options">Settings; defaults when null.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public ConsoleSink(ConsoleSinkOptions? options = null)
        : this(options ?? new ConsoleSinkOptions(), System.Console.Out,
            !System.Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")))
    {
    }

    /// <summary>Prints to <paramref name="output"/>.</summary>
    /// <param name="options">Settings.</param>
    /// <param name="output">Where lines go.</param>
    /// <param name="outputIsTerminal">Whether <paramref name="output"/> is a terminal (colours in <see cref="ConsoleColorMode.Auto"/> mode).</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public ConsoleSink(ConsoleSinkOptions options, TextWriter output, bool outputIsTerminal = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        options.Validate();
        _output = output;
        Name = options.Name;
        Colored = options.Color switch
        {
            ConsoleColorMode.Always => true,
            ConsoleColorMode.Never => false,
            _ => outputIsTerminal,
        };
        _formatter = new ConsoleLineFormatter(options, Colored);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Whether lines carry ANSI colours.</summary>
    public bool Colored { get; }

    /// <inheritdoc />
    public async ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) return;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _lines.Clear();
            foreach (var message in batch)
            {
                ArgumentNullException.ThrowIfNull(message, nameof(batch));
                _formatter.Append(_lines, message);
            }
            await _output.WriteAsync(_lines, ct).ConfigureAwait(false);
            await _output.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            if (_lines.Capacity > 256 * 1024) _lines.Clear().Capacity = 16 * 1024;
            _gate.Release();
        }
    }

    /// <summary>Flushes the output; it stays open (it is not the sink's to close).</summary>
    public async ValueTask DisposeAsync()
    {
        await _output.FlushAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
