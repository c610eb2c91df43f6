using System.Text;
using Tgwatch.Secrets;

namespace Tgwatch.Cli.Hosting;

/// <summary>
/// The program's stdout or stderr with every secret masked (<see cref="SecretRedactor"/>): configuration errors,
/// parse errors and crashes included, also those written before any secret is registered (a token is masked by its shape).
/// </summary>
/// <remarks>
/// A secret has no whitespace in it, so text is passed on up to its last whitespace and the rest is held until more
/// comes (a token written in two pieces is still masked whole); <see cref="Flush"/> passes on everything.
/// </remarks>
internal sealed class RedactingWriter(TextWriter inner) : TextWriter
{
    private readonly StringBuilder _pending = new();
    private readonly Lock _sync = new();

    /// <summary>The writer the text goes to, unmasked.</summary>
    public TextWriter Inner { get; } = inner;

    /// <inheritdoc />
    public override Encoding Encoding => Inner.Encoding;

    /// <inheritdoc />
    public override IFormatProvider FormatProvider => Inner.FormatProvider;

    /// <summary>The writer under <paramref name="writer"/> when it is a redacting one (for what is printed on purpose, and to tell the terminal).</summary>
    public static TextWriter Unwrap(TextWriter writer) => writer is RedactingWriter r ? r.Inner : writer;

    /// <inheritdoc />
    public override void Write(char value)
    {
        lock (_sync)
        {
            _pending.Append(value);
            if (char.IsWhiteSpace(value)) Pass(_pending.Length);
        }
    }

    /// <inheritdoc />
    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        lock (_sync)
        {
            _pending.Append(value);
            var end = _pending.Length;
            while (end > 0 && !char.IsWhiteSpace(_pending[end - 1])) end--;
            if (end > 0) Pass(end);
        }
    }

    /// <inheritdoc />
    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    /// <inheritdoc />
    public override void WriteLine(string? value) => Write(value + NewLine);

    /// <inheritdoc />
    public override void WriteLine() => Write(NewLine);

    /// <inheritdoc />
    public override Task WriteAsync(char value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task WriteAsync(string? value)
    {
        Write(value);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task WriteAsync(char[] buffer, int index, int count)
    {
        Write(buffer, index, count);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task WriteLineAsync()
    {
        WriteLine();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override void Flush()
    {
        lock (_sync)
        {
            Pass(_pending.Length);
            Inner.Flush();
        }
    }

    /// <inheritdoc />
    public override Task FlushAsync()
    {
        Flush();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) Flush();
        base.Dispose(disposing);
    }

    /// <summary>Writes the first <paramref name="length"/> pending characters, masked.</summary>
    private void Pass(int length)
    {
        if (length == 0) return;
        var text = _pending.ToString(0, length);
        _pending.Remove(0, length);
        Inner.Write(SecretRedactor.Default.Redact(text));
    }
}
