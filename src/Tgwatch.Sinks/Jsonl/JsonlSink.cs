using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Storage;

namespace Tgwatch.Sinks.Jsonl;

/// <summary>
/// Appends one JSONL contract record (DESIGN §5) per message to a file. Each batch is one write, flushed to
/// the disk, then its keys and the new file length go to the <see cref="ISinkLedger"/> in one call; keys the
/// ledger already holds (and repeats within a batch) are skipped, so redelivery writes nothing twice.
/// <see cref="StartAsync"/> repairs what a crash left: lines written but not recorded get recorded, a torn
/// last line is cut, lines that are not records are kept and reported once.
/// </summary>
public sealed class JsonlSink : IMessageSink
{
    private const int KeepBufferBytes = 1024 * 1024;
    private static ReadOnlySpan<byte> NewLine => "\n"u8;

    private readonly JsonlSinkOptions _options;
    private readonly ISinkLedger _ledger;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly HashSet<string> _batchKeys = new(StringComparer.Ordinal);
    private readonly List<string> _candidates = [];
    private readonly List<TgMessage> _firsts = [];
    private ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private Utf8JsonWriter? _json;
    private FileStream? _file;
    private bool _needsRepair;
    private bool _writeFailing; // the last write failed: its line was logged, the pipeline's sink line tells the rest
    private bool _disposed;

    /// <summary>Creates the sink; nothing is opened until <see cref="StartAsync"/>.</summary>
    /// <param name="options">Where and how to write; validated here.</param>
    /// <param name="ledger">Where written keys and the accounted-for offset are kept.</param>
    /// <param name="logger">Where repairs and anomalies are reported.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public JsonlSink(JsonlSinkOptions options, ISinkLedger ledger, ILogger<JsonlSink>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(ledger);
        _options = options.Validate();
        _ledger = ledger;
        _logger = logger ?? NullLogger<JsonlSink>.Instance;
        Name = options.SinkName;
        Path = options.FullPath;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <summary>Complete lines past the recorded offset that were not records, found by the last repair (kept in the file).</summary>
    public int UnparsableLines { get; private set; }

    /// <summary>Lines accounted for by the last repair (written before a crash could record them).</summary>
    public int RecoveredLines { get; private set; }

    /// <summary>Bytes of a torn last line cut by the last repair.</summary>
    public long TornBytesCut { get; private set; }

    /// <summary>Records written by this instance.</summary>
    public long Written { get; private set; }

    /// <summary>Opens (or creates, 0600, in a 0700 directory) the file and repairs what a crash left behind.</summary>
    public async ValueTask StartAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_file is not null) throw new InvalidOperationException($"{Name}: already started");
            _file = Open();
            _needsRepair = true; // until it succeeds: a start that failed half-way repairs before the first write
            await RepairAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0) return;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var file = _file ?? throw new InvalidOperationException($"{Name}: StartAsync must be called before WriteAsync");
            if (_needsRepair) await RepairAsync(ct).ConfigureAwait(false);

            // The batch's first occurrence of each key, in order.
            _batchKeys.Clear();
            _candidates.Clear();
            _firsts.Clear();
            foreach (var message in batch)
            {
                ArgumentNullException.ThrowIfNull(message, nameof(batch));
                var key = message.Key;
                if (!_batchKeys.Add(key)) continue;
                _candidates.Add(key);
                _firsts.Add(message);
            }
            var written = await _ledger.FindWrittenAsync(Name, _candidates, ct).ConfigureAwait(false);

            var buffer = _buffer;
            buffer.ResetWrittenCount();
            List<string> keys = new(_candidates.Count);
            for (var i = 0; i < _firsts.Count; i++)
            {
                if (written.Contains(_candidates[i])) continue;
                keys.Add(_candidates[i]);
                var json = _json ??= new Utf8JsonWriter(buffer, TgMessageJson.WriterOptions);
                json.Reset(buffer);
                TgMessageJson.Write(json, _firsts[i], full: false);
                json.Flush();
                buffer.Write(NewLine);
            }
            _firsts.Clear();
            if (keys.Count == 0) return;

            ct.ThrowIfCancellationRequested();
            // From here on the file may hold lines the ledger does not: any failure means "repair first".
            _needsRepair = true;
            try
            {
                file.Write(buffer.WrittenSpan);
                file.Flush(_options.FlushToDisk);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (!_writeFailing) JsonlLog.WriteFailed(_logger, Name, e);
                _writeFailing = true;
                throw;
            }
            _writeFailing = false;
            await _ledger.RecordAsync(Name, keys, file.Position, ct).ConfigureAwait(false);
            _needsRepair = false;
            Written += keys.Count;
        }
        finally
        {
            if (_buffer.Capacity > KeepBufferBytes) _buffer = new ArrayBufferWriter<byte>(64 * 1024);
            _gate.Release();
        }
    }

    /// <summary>Closes the file. Everything written is already flushed and recorded.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            if (_json is not null) await _json.DisposeAsync().ConfigureAwait(false);
            if (_file is not null) await _file.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private FileStream Open()
    {
        CreateDirectories(System.IO.Path.GetDirectoryName(Path));
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = _options.FileMode;
        return new FileStream(Path, options);
    }

    /// <summary>Creates the missing directories of <paramref name="directory"/>, each with the configured mode.</summary>
    private void CreateDirectories(string? directory)
    {
        if (string.IsNullOrEmpty(directory) || Directory.Exists(directory)) return;
        CreateDirectories(System.IO.Path.GetDirectoryName(directory));
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, _options.DirectoryMode);
    }

    /// <summary>Brings file and ledger into agreement and leaves the file positioned at its end.</summary>
    private async ValueTask RepairAsync(CancellationToken ct)
    {
        var file = _file!;
        var recorded = await _ledger.GetOffsetAsync(Name, ct).ConfigureAwait(false);
        var offset = recorded;
        var length = file.Length;
        if (length < recorded)
        {
            JsonlLog.FileShrunk(_logger, Name, length, recorded);
            // Continue after the file's last complete line; a fragment after it is cut below.
            offset = await JsonlRepair.LastLineEndAsync(file, length, ct).ConfigureAwait(false);
        }
        if (length == offset)
        {
            if (offset != recorded) await _ledger.RecordAsync(Name, [], offset, ct).ConfigureAwait(false);
            file.Position = length;
            _needsRepair = false;
            return;
        }

        var result = await JsonlRepair.RunAsync(file, offset, (keys, end) => _ledger.RecordAsync(Name, keys, end, ct), ct).ConfigureAwait(false);
        RecoveredLines = result.Recovered;
        UnparsableLines = result.Unparsable;
        TornBytesCut = result.TornBytes;
        if (result.TornBytes > 0) JsonlLog.TornLineCut(_logger, Name, result.TornBytes);
        if (result.Recovered > 0) JsonlLog.LinesRecovered(_logger, Name, result.Recovered);
        if (result.Unparsable > 0)
            JsonlLog.UnparsableLines(_logger, Name, result.Unparsable, result.FirstUnparsableOffset, result.FirstUnparsableReason ?? "");
        _needsRepair = false;
    }
}
