using System.Buffers;
using System.Net;
using System.Text;
using Tgwatch.Messages;

namespace Tgwatch.BotApi;

/// <summary>An answer of the Bot API longer than the bound on what is read of one answer.</summary>
/// <param name="maxBytes">The bound.</param>
/// <param name="firstUpdateId">The first <c>update_id</c> read before the bound was reached, if any.</param>
public sealed class AnswerTooLargeException(long maxBytes, long? firstUpdateId)
    : IOException($"the Bot API's answer is longer than {maxBytes} bytes; the rest was not read")
{
    /// <summary>The bound.</summary>
    public long MaxBytes { get; } = maxBytes;

    /// <summary>The first <c>update_id</c> in the answer, when it came before the bound.</summary>
    public long? FirstUpdateId { get; } = firstUpdateId;
}

/// <summary>
/// Bounds what is read of each answer of the Bot API: at most <c>maxBytes</c> bytes (then
/// <see cref="AnswerTooLargeException"/>), and every JSON string cut to <see cref="MessageText.MaxChars"/> characters with
/// <see cref="MessageText.Marker"/> as it streams by, so that a huge text never becomes a huge string.
/// </summary>
/// <param name="inner">The handler that sends.</param>
/// <param name="maxBytes">The most bytes read of one answer.</param>
/// <param name="copy">Where the bytes of each <c>getUpdates</c> answer are copied as they are read (as cut), if anywhere.</param>
internal sealed class AnswerCapHandler(HttpMessageHandler inner, long maxBytes, AnswerCopy? copy = null) : DelegatingHandler(inner)
{
    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var content = response.Content;
        var getUpdates = copy is not null && response.IsSuccessStatusCode && request.RequestUri is { } uri && uri.AbsolutePath.EndsWith("/getUpdates", StringComparison.Ordinal);
        var capped = new CappedContent(content, maxBytes, getUpdates ? copy : null);
        foreach (var header in content.Headers) capped.Headers.TryAddWithoutValidation(header.Key, header.Value);
        capped.Headers.ContentLength = null; // the cut answer is shorter
        response.Content = capped;
        return response;
    }

    private sealed class CappedContent(HttpContent inner, long maxBytes, AnswerCopy? copy) : HttpContent
    {
        // A copy starts again with each read of the answer.
        protected override async Task<Stream> CreateContentReadStreamAsync()
        {
            copy?.Clear();
            return new JsonStringCapStream(await inner.ReadAsStreamAsync().ConfigureAwait(false), maxBytes) { Copy = copy };
        }

        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        {
            copy?.Clear();
            return new JsonStringCapStream(await inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), maxBytes) { Copy = copy };
        }

        // HttpClient reads an answer whole this way before it is parsed: the copy is whole here.
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await using var capped = await CreateContentReadStreamAsync().ConfigureAwait(false);
            await capped.CopyToAsync(stream).ConfigureAwait(false);
            copy?.Whole();
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>
/// A read-only stream over a JSON text that cuts every string longer than <see cref="MessageText.MaxChars"/> characters
/// (UTF-16 code units, an escape counting as what it stands for), appending <see cref="MessageText.Marker"/>, and fails
/// with <see cref="AnswerTooLargeException"/> past <c>maxBytes</c> bytes read. Memory: two small buffers, whatever the input.
/// </summary>
/// <remarks>
/// Once the first <c>update_id</c> is known, the text between quotes and backslashes is passed on in runs (searched for
/// with vector instructions, a string's characters counted per run) instead of byte by byte; <paramref name="byteByByte"/>
/// keeps every byte on the slow path (for tests: both give the same bytes).
/// </remarks>
internal sealed class JsonStringCapStream(Stream inner, long maxBytes, bool byteByByte = false) : Stream
{
    private static readonly byte[] UpdateIdKey = "update_id"u8.ToArray();
    // Lent by the shared pool for the answer's read (a poll's answer made two new 16 KB arrays before: 40 KB a poll in a
    // drain), given back when the stream is disposed, or, when that happens during a read (a cancelled request disposed on
    // another thread), when that read ends: an array given back is never written into by this stream again.
    private byte[] _in = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private byte[] _out = ArrayPool<byte>.Shared.Rent(16 * 1024 + 128);
    private const int Idle = 0, Reading = 1, Disposed = 2;
    private int _state;
    private int _outStart;
    private int _outEnd;
    private long _read;
    private bool _ended;

    // Inside a string: characters kept and cut, the escape being read (0 none, 1 after '\', 2-5 hex digits) and its bytes
    // (held until it is whole: a high surrogate is kept only with room for its low one), whether the character being read
    // (its UTF-8 bytes or its escape) is kept. Once one is cut, all that follows in the string is.
    private bool _inString;
    private long _kept;
    private long _dropped;
    private int _escape;
    private readonly byte[] _escapeBytes = new byte[6];
    private int _escapeLength;
    private bool _unitKept;

    // The first update_id: the last string's first bytes, whether it was "update_id", and the number after it.
    private int _keyLength;
    private bool _keyMatches;
    private bool _afterKey;
    private bool _inNumber;
    private long _number;

    /// <summary>The first <c>update_id</c> read, if any.</summary>
    public long? FirstUpdateId { get; private set; }

    /// <summary>Where the bytes read (as cut) are copied too, if anywhere.</summary>
    public AnswerCopy? Copy { get; init; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        StartRead();
        try
        {
            while (_outStart == _outEnd && !_ended) Process(inner.Read(_in));
            return Take(buffer);
        }
        finally
        {
            EndRead();
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        StartRead();
        try
        {
            while (_outStart == _outEnd && !_ended) Process(await inner.ReadAsync(_in, cancellationToken).ConfigureAwait(false));
            return Take(buffer.Span);
        }
        finally
        {
            EndRead();
        }
    }

    private void StartRead()
    {
        var was = Interlocked.CompareExchange(ref _state, Reading, Idle);
        if (was == Disposed) throw new ObjectDisposedException(nameof(JsonStringCapStream));
        if (was == Reading) throw new InvalidOperationException("the answer is being read already");
    }

    // A dispose during the read left the buffers to it.
    private void EndRead()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Reading) == Disposed) ReturnBuffers();
    }

    private void ReturnBuffers()
    {
        ArrayPool<byte>.Shared.Return(_in);
        ArrayPool<byte>.Shared.Return(_out);
        _in = _out = [];
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            var was = Interlocked.Exchange(ref _state, Disposed);
            if (was != Disposed) inner.Dispose();
            if (was == Idle) ReturnBuffers();
        }
        base.Dispose(disposing);
    }

    private int Take(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _outEnd - _outStart);
        _out.AsSpan(_outStart, n).CopyTo(buffer);
        Copy?.Add(_out.AsSpan(_outStart, n));
        _outStart += n;
        return n;
    }

    private void Process(int count)
    {
        _outStart = _outEnd = 0;
        if (count == 0)
        {
            _ended = true;
            return;
        }
        _read += count;
        if (_read > maxBytes) throw new AnswerTooLargeException(maxBytes, FirstUpdateId);
        var input = _in.AsSpan(0, count);
        var i = 0;
        while (i < input.Length)
        {
            // Runs need no key or number followed (the first update_id is known) and no escape or number being read.
            if (!byteByByte && FirstUpdateId is not null && _escape == 0 && !_inNumber)
            {
                var rest = input[i..];
                var run = _inString ? rest.IndexOfAny((byte)'"', (byte)'\\') : rest.IndexOf((byte)'"');
                if (run < 0) run = rest.Length;
                if (run > 0)
                {
                    var span = rest[..run];
                    if (!_inString || KeepsWhole(span)) Emit(span);
                    else foreach (var b in span) Step(b); // the string reaches its bound in this run
                    i += run;
                    continue;
                }
            }
            Step(input[i++]);
        }
    }

    /// <summary>
    /// Whether every character of a run inside a string (no quote, no backslash) is kept; if so they are counted. A run
    /// may start inside a character cut by the read before: its bytes go as that character went.
    /// </summary>
    private bool KeepsWhole(ReadOnlySpan<byte> run)
    {
        if (!_unitKept) return false;
        long units = run.Length;
        if (!System.Text.Ascii.IsValid(run))
        {
            units = 0;
            foreach (var b in run) units += UnitsOf(b);
        }
        if (_kept + units > MessageText.MaxChars) return false;
        _kept += units;
        return true;
    }

    private void Step(byte b)
    {
        if (!_inString)
        {
            Outside(b);
            Emit(b);
            return;
        }
        if (_escape > 0)
        {
            _escapeBytes[_escapeLength++] = b;
            _escape = _escape == 1 ? (b == (byte)'u' ? 2 : 0) : (_escape == 5 ? 0 : _escape + 1);
            if (_escape == 0) EndEscape();
            return;
        }
        if (b == (byte)'"')
        {
            _inString = false;
            _keyMatches = _keyLength == UpdateIdKey.Length && _keyMatches;
            if (_dropped > 0) EmitMarker();
            Emit(b);
            return;
        }
        if (_keyLength < UpdateIdKey.Length + 1)
        {
            _keyMatches &= _keyLength < UpdateIdKey.Length && UpdateIdKey[_keyLength] == b;
            _keyLength++;
        }
        if (UnitsOf(b) is var units and > 0)
        {
            // The start of a character: a '\' escape (kept or cut once whole) or a UTF-8 lead byte.
            if (b == (byte)'\\')
            {
                _escape = 1;
                _escapeBytes[0] = b;
                _escapeLength = 1;
                return;
            }
            _unitKept = _dropped == 0 && _kept + units <= MessageText.MaxChars;
            if (_unitKept) _kept += units;
            else _dropped += units;
        }
        if (_unitKept) Emit(b);
    }

    /// <summary>
    /// The UTF-16 code units a byte of UTF-8 text starts: none for a continuation byte, two for the lead byte of four (a
    /// surrogate pair), one for any other.
    /// </summary>
    private static int UnitsOf(byte b) => (b & 0xC0) == 0x80 ? 0 : b >= 0xF0 ? 2 : 1;

    /// <summary>
    /// An escape read whole stands for one UTF-16 code unit; a high surrogate (\uD800-\uDBFF) is kept only if its low one
    /// that follows fits too, so that the cut never falls between the halves of a pair (a text that cannot be read).
    /// </summary>
    private void EndEscape()
    {
        var e = _escapeBytes;
        var high = _escapeLength == 6 && (e[2] | 0x20) == 'd' && e[3] is (byte)'8' or (byte)'9' or (byte)'a' or (byte)'b' or (byte)'A' or (byte)'B';
        _unitKept = _dropped == 0 && _kept + (high ? 2 : 1) <= MessageText.MaxChars;
        if (_unitKept)
        {
            _kept++;
            Emit(e.AsSpan(0, _escapeLength));
        }
        else _dropped++;
    }

    private void Outside(byte b)
    {
        if (_inNumber)
        {
            if (b is >= (byte)'0' and <= (byte)'9' && _number < long.MaxValue / 10)
            {
                _number = _number * 10 + (b - '0');
                return;
            }
            _inNumber = false;
            FirstUpdateId ??= _number;
        }
        switch (b)
        {
            case (byte)'"':
                _inString = true;
                _kept = _dropped = 0;
                _escape = 0;
                _unitKept = true;
                _keyLength = 0;
                _keyMatches = true;
                _afterKey = false;
                return;
            case (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                return;
            case (byte)':':
                _afterKey = _keyMatches;
                _keyMatches = false;
                return;
            case >= (byte)'0' and <= (byte)'9' when _afterKey && FirstUpdateId is null:
                _inNumber = true;
                _number = b - '0';
                _afterKey = false;
                return;
            default:
                _keyMatches = _afterKey = false;
                return;
        }
    }

    private void EmitMarker()
    {
        foreach (var b in Encoding.UTF8.GetBytes(MessageText.Marker(_dropped))) Emit(b);
    }

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        if (_outEnd + bytes.Length > _out.Length) Grow(_outEnd + bytes.Length);
        bytes.CopyTo(_out.AsSpan(_outEnd));
        _outEnd += bytes.Length;
    }

    private void Emit(byte b)
    {
        if (_outEnd == _out.Length) Grow(_outEnd + 1);
        _out[_outEnd++] = b;
    }

    private void Grow(int needed)
    {
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_out.Length * 2, needed));
        _out.AsSpan(0, _outEnd).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_out);
        _out = bigger;
    }
}

/// <summary>
/// The bytes of the latest <c>getUpdates</c> answer as it was read (strings cut as the connector reads them), for the
/// received journal. One poll at a time: each read of an answer starts it again, and the connector reads it once the answer
/// is read; the journal's write of it may start as soon as it is whole (see <see cref="Arm"/>), while the answer is parsed.
/// </summary>
internal sealed class AnswerCopy
{
    private byte[] _bytes = new byte[64 * 1024];
    private int _length;
    private ReceivedJournal? _journal;
    private long _deliveredAtSend;
    private bool _idRestartPossible;
    private DateTimeOffset _polledAt;

    /// <summary>The journal's write of the latest whole answer with updates, started by <see cref="Whole"/> (null: none).</summary>
    public Task? Written { get; set; }

    /// <summary>The next whole answer is written to <paramref name="journal"/> with these (see <see cref="ReceivedJournal.Append"/>) as soon as it is whole.</summary>
    public void Arm(ReceivedJournal journal, long deliveredAtSend, bool idRestartPossible, DateTimeOffset polledAt)
    {
        _journal = journal;
        _deliveredAtSend = deliveredAtSend;
        _idRestartPossible = idRestartPossible;
        _polledAt = polledAt;
    }

    /// <summary>
    /// The answer is whole: its write starts, for an answer as Telegram writes one (<c>{"ok":true,"result":[…]}</c>) with
    /// updates (the connector writes any other once it has parsed it).
    /// </summary>
    public void Whole()
    {
        if (Interlocked.Exchange(ref _journal, null) is not { } journal || !Bytes.TrimStart(" \t\r\n"u8).StartsWith("{\"ok\":true,\"result\":["u8) || NoUpdates()) return;
        var (delivered, restart, polledAt) = (_deliveredAtSend, _idRestartPossible, _polledAt);
        Written = Task.Run(() => journal.Append(delivered, restart, Bytes, polledAt));
    }

    /// <summary>Whether the answer ends with an empty list (<c>…"result":[]}</c>).</summary>
    private bool NoUpdates()
    {
        var end = Bytes.TrimEnd(" \t\r\n"u8);
        return end.EndsWith("]}"u8) && end[..^2].TrimEnd(" \t\r\n"u8).EndsWith("["u8);
    }

    /// <summary>The bytes copied since <see cref="Clear"/>.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, _length);

    /// <summary>Forgets what was copied.</summary>
    public void Clear() => _length = 0;

    /// <summary>Copies more bytes of the answer.</summary>
    public void Add(ReadOnlySpan<byte> bytes)
    {
        if (_bytes.Length - _length < bytes.Length) Array.Resize(ref _bytes, Math.Max(_length + bytes.Length, _bytes.Length * 2));
        bytes.CopyTo(_bytes.AsSpan(_length));
        _length += bytes.Length;
    }
}
