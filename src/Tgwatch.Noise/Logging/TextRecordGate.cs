using System.Text;
using Tgwatch.Noise.Records;
using Tgwatch.Noise.Rules;

namespace Tgwatch.Noise.Logging;

/// <summary>
/// Classifies the text of log messages that are another program's log records (TDLib's log, say) with rule packs,
/// as <c>tgwatch quiet</c> classifies a line of a stream: one message is one record, its lines split at <c>\n</c>.
/// Thread-safe (one message at a time).
/// </summary>
internal sealed class TextRecordGate
{
    private readonly Lock _lock = new();
    private readonly RecordClassifier _classifier;
    private readonly RecordBuffer _record = new();
    private readonly int[] _sources;
    private readonly int _maxBytes;

    public TextRecordGate(NoiseRules rules, NoiseGate gate, NoiseOptions options)
    {
        _classifier = new RecordClassifier(rules.Set);
        _sources = rules.SourcesIn(gate);
        _maxBytes = options.MaxRecordBytes;
    }

    /// <summary>The gate source of the rule that takes <paramref name="message"/>, or null when no rule does.</summary>
    public int? SourceOf(string message)
    {
        if (Bytes(message) is not { } bytes) return null;
        lock (_lock)
        {
            var rule = Classify(bytes);
            return rule < 0 ? null : _sources[rule];
        }
    }

    /// <summary>What <paramref name="message"/> says, on one line (see <see cref="FirstRecord.Line"/>).</summary>
    public string GistOf(string message)
    {
        if (Bytes(message) is not { } bytes) return RecordGist.Of(message);
        lock (_lock)
        {
            return Classify(bytes) < 0 ? RecordGist.Of(message) : _classifier.Gist();
        }
    }

    /// <summary>The message's bytes, or null when it is longer than any record may be (passed unread, as the stream filter does).</summary>
    private byte[]? Bytes(string message) =>
        Encoding.UTF8.GetMaxByteCount(message.Length) > _maxBytes && Encoding.UTF8.GetByteCount(message) > _maxBytes
            ? null
            : Encoding.UTF8.GetBytes(message);

    /// <summary>The index of the rule that takes the record of <paramref name="bytes"/>, or -1 (under the lock).</summary>
    private int Classify(byte[] bytes)
    {
        _record.Clear();
        var start = 0;
        while (start < bytes.Length)
        {
            var nl = Array.IndexOf(bytes, (byte)'\n', start);
            var end = nl < 0 ? bytes.Length : nl + 1;
            var line = bytes.AsSpan(start, end - start);
            if (LineShape.IsTracebackHeader(LineShape.Content(line))) _record.HasTraceback = true;
            _record.Append(line);
            start = end;
        }
        return _record.LineCount == 0 ? -1 : _classifier.Classify(_record);
    }
}
