using System.Runtime.CompilerServices;
using System.Text;
using Tgwatch.Noise.Records;
using Tgwatch.Noise.Rules;

namespace Tgwatch.Noise;

/// <summary>
/// Filters one text stream: splits it into lines, groups them into records, and writes every record
/// that is not collapsed noise to the output byte for byte, in order. Collapsed records are counted
/// by the shared <see cref="NoiseGate"/>, which also writes the line that stands for the first of a
/// burst (<see cref="FirstRecord.Line"/>). Several filters may share one gate and one output. Not
/// thread-safe: whoever shares a filter or its output serialises the calls (see <see cref="NoisePump"/>).
/// </summary>
public sealed class TextNoiseFilter
{
    private readonly NoiseOptions _options;
    private readonly NoiseGate _gate;
    private readonly Stream _output;
    private readonly TimeProvider _time;
    private readonly RecordGrouper _grouper;
    private readonly RecordClassifier _classifier;
    private readonly int[] _sources;
    private readonly byte[] _partial;
    private int _partialLength;
    private long _partialSince;
    private long _lastLine;
    private long _recordEnd;
    private bool _midLine;

    /// <summary>Creates a filter over a shared gate and output.</summary>
    public TextNoiseFilter(NoiseRules rules, NoiseGate gate, Stream output, TimeProvider time, NoiseOptions options)
    {
        _options = options.Validate();
        _gate = gate;
        _output = output;
        _time = time;
        _classifier = new RecordClassifier(rules.Set);
        _grouper = new RecordGrouper(rules.Set.ContinuationPrefixes, rules.Set.TracebackPreambles, options.MaxRecordLines, options.MaxRecordBytes, OnRecord);
        _sources = rules.SourcesIn(gate);
        _partial = new byte[options.MaxRecordBytes];
    }

    /// <summary>Lines read (a last line without a line end counts too).</summary>
    public long LinesIn { get; private set; }

    /// <summary>Lines written unchanged.</summary>
    public long LinesPassed { get; private set; }

    /// <summary>Lines handed to the gate as noise and hidden (reported, in a summary or a first record's line, or pending in the gate).</summary>
    public long LinesHidden { get; private set; }

    /// <summary>Bytes of memory the filter holds on to (its line and record buffers, and the noise lines it remembers).</summary>
    internal long RetainedBytes => _partial.Length + _grouper.RetainedBytes + _classifier.RetainedBytes;

    /// <summary>Takes the next bytes of the stream.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the slow first tiers
    public void Write(ReadOnlySpan<byte> data)
    {
        var now = _time.GetTimestamp();
        while (!data.IsEmpty)
        {
            var nl = data.IndexOf((byte)'\n');
            var piece = nl < 0 ? data : data[..(nl + 1)];
            data = nl < 0 ? default : data[(nl + 1)..];
            if (_midLine)
            {
                _output.Write(piece);
                if (nl >= 0) { _midLine = false; LinesIn++; LinesPassed++; }
                continue;
            }
            if (_partialLength + piece.Length > _partial.Length)
            {
                // Longer than any record may be: not read, passed through as it comes.
                _recordEnd = _lastLine;
                _grouper.Flush();
                _output.Write(_partial.AsSpan(0, _partialLength));
                _partialLength = 0;
                _midLine = true;
                _output.Write(piece);
                if (nl >= 0) { _midLine = false; LinesIn++; LinesPassed++; }
                continue;
            }
            if (nl < 0)
            {
                if (_partialLength == 0) _partialSince = now;
                piece.CopyTo(_partial.AsSpan(_partialLength));
                _partialLength += piece.Length;
                continue;
            }
            LinesIn++;
            _recordEnd = _lastLine;
            _lastLine = now;
            if (_partialLength == 0)
            {
                _grouper.Add(piece);
            }
            else
            {
                piece.CopyTo(_partial.AsSpan(_partialLength));
                var line = _partial.AsSpan(0, _partialLength + piece.Length);
                _partialLength = 0;
                _grouper.Add(line);
            }
        }
    }

    /// <summary>Whether a record or a partial line is held (waiting for its hold time): <see cref="Tick"/> has work.</summary>
    public bool Holding => _grouper.HasPending || _partialLength > 0;

    /// <summary>
    /// Decides on a record held longer than the hold time and passes on a partial line (a prompt)
    /// that waited that long; call it periodically.
    /// </summary>
    public void Tick()
    {
        var now = _time.GetTimestamp();
        _recordEnd = _lastLine;
        if (_grouper.HasPending && _time.GetElapsedTime(_lastLine, now) >= _options.HoldTime) _grouper.Flush();
        if (_partialLength > 0 && _time.GetElapsedTime(_partialSince, now) >= _options.HoldTime)
        {
            _grouper.Flush();
            _output.Write(_partial.AsSpan(0, _partialLength));
            _partialLength = 0;
            _midLine = true;
        }
    }

    /// <summary>End of input: decides on everything held. The gate is not flushed (it may be shared).</summary>
    public void Complete()
    {
        _recordEnd = _lastLine;
        if (_partialLength > 0)
        {
            LinesIn++;
            _grouper.Add(_partial.AsSpan(0, _partialLength));
            _partialLength = 0;
        }
        else if (_midLine)
        {
            LinesIn++;
            LinesPassed++;
            _midLine = false;
        }
        _grouper.Flush();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the slow first tiers
    private void OnRecord(RecordBuffer record)
    {
        var rule = _classifier.Classify(record);
        if (rule >= 0)
        {
            // A record held for continuation lines counts from when its last line arrived.
            var source = _sources[rule];
            var admission = _gate.Admit(source, record.LineCount, _recordEnd);
            if (admission != Admission.Show)
            {
                LinesHidden += record.LineCount;
                if (admission == Admission.Replace) _gate.ReportFirst(source, record.LineCount, _classifier.Gist());
                return;
            }
        }
        _output.Write(record.Bytes);
        LinesPassed += record.LineCount;
    }
}
