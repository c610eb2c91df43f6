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
        if (Encoding.UTF8.GetMaxByteCount(message.Length) > _maxBytes && Encoding.UTF8.GetByteCount(message) > _maxBytes)
            return null; // longer than any record may be: passed unread, as the stream filter does
        var bytes = Encoding.UTF8.GetBytes(message);
        lock (_lock)
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
            if (_record.LineCount == 0) return null;
            var rule = _classifier.Classify(_record);
            return rule < 0 ? null : _sources[rule];
        }
    }
}
