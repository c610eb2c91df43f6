using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Storage;

namespace Tgwatch.Sinks.Jsonl;

/// <summary>
/// Appends one JSONL contract record (ARCHITECTURE §4) per message to a file. Each batch is one write, flushed to
/// the disk, then its keys and the new file length go to the <see cref="ISinkLedger"/> in one call; keys the
/// ledger already holds (and repeats within a batch) are skipped, so redelivery writes nothing twice.
/// <see cref="StartAsync"/> repairs what a crash left: lines written but not recorded get recorded, a torn
/// last line the sink wrote is cut, lines that are not records are kept and reported once. The sink holds an exclusive
/// <c>flock</c> on its file (a second writer is refused), and before each batch it goes on in the file at its path when
/// the one it held was moved away, replaced or truncated (log rotation).
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
    private FileIdentity? _identity;
    private bool _started;
    private bool _needsRepair;
    private bool _writeFailing; // the last write failed: its line was logged, the pipeline's sink line tells the rest
    private bool _tornCutWhileFailing; // a torn line was cut (and said) since the writes started failing: said once
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

    /// <summary>
    /// Opens (or creates, 0600, in a 0700 directory) the file, takes its lock (<c>flock</c>: one writer per file) and
    /// repairs what a crash left behind. A file that is not empty and does not hold records (its first line is not one) is
    /// refused untouched. Calling it again after it succeeded does nothing.
    /// </summary>
    /// <exception cref="IOException">The file is another writer's, not a file of records, or cannot be opened; the message is one line.</exception>
    public async ValueTask StartAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started) return;
            await OpenAsync(followed: false, ct).ConfigureAwait(false);
            _started = true;
            await RepairAsync(followed: false, ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>The file at <see cref="Path"/> is also checked before every batch, so a file moved or truncated is noticed without it.</remarks>
    public async ValueTask ReopenAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_disposed || !_started) return;
            await FollowPathAsync(ct).ConfigureAwait(false);
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
            if (!_started) throw new InvalidOperationException($"{Name}: StartAsync must be called before WriteAsync");
            await FollowPathAsync(ct).ConfigureAwait(false);
            var file = _file!;

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
            _writeFailing = _tornCutWhileFailing = false;
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
            await CloseFileAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Brings the sink to the file at <see cref="Path"/> before a batch: a file moved away or replaced there (log rotation)
    /// is closed and the one at the path opened, a file truncated under the sink is gone on with at its end, and what a
    /// failed write or start left unaccounted for is repaired.
    /// </summary>
    private async ValueTask FollowPathAsync(CancellationToken ct)
    {
        if (_file is null)
        {
            // A reopen failed (the file at the path was refused, or could not be opened): try again.
            await OpenAsync(followed: true, ct).ConfigureAwait(false);
            await RepairAsync(followed: true, ct).ConfigureAwait(false);
            return;
        }
        if (_identity is { } held && FileIdentity.Of(Path) != held)
        {
            JsonlLog.FileReplaced(_logger, Name, Path);
            await CloseFileAsync().ConfigureAwait(false);
            await OpenAsync(followed: true, ct).ConfigureAwait(false);
            await RepairAsync(followed: true, ct).ConfigureAwait(false);
            return;
        }
        var length = _file.Length;
        if (!_needsRepair && length < _file.Position)
        {
            JsonlLog.FileShrunk(_logger, Name, length, _file.Position);
            await RepairAsync(followed: true, ct).ConfigureAwait(false);
            return;
        }
        if (_needsRepair) await RepairAsync(followed: false, ct).ConfigureAwait(false);
    }

    /// <summary>Opens and locks the file at <see cref="Path"/>, makes it private and checks that it holds records.</summary>
    /// <param name="followed">Whether it replaces a file the sink wrote (rotation): the ledger's offset is not this file's.</param>
    /// <param name="ct">Cancels the check.</param>
    private async ValueTask OpenAsync(bool followed, CancellationToken ct)
    {
        // A device, a pipe or a directory is no file of records (and /dev/null must keep its mode).
        if (FileIdentity.IsSpecial(Path))
            throw new IOException($"jsonl sink {Path}: not a regular file (a device, a pipe or a directory); give a file of its own");
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory)) PrivateDirectory.Create(directory, _options.DirectoryMode);
        var options = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = _options.FileMode;
        var file = ExclusiveFileLock.TryOpen(Path, options)
            ?? throw new IOException($"jsonl sink {Path}: in use by another writer (another tgwatch run or import); one writer per file");
        try
        {
            var recorded = followed ? null : await _ledger.GetOffsetAsync(Name, ct).ConfigureAwait(false);
            var length = file.Length;
            var ownFrom = recorded is { } r && r <= length ? r : long.MaxValue;
            if (!await JsonlRepair.HoldsRecordsAsync(file, length, ownFrom, ct).ConfigureAwait(false))
                throw new IOException($"jsonl sink {Path}: not a JSONL file of Tgwatch records (its first line is not a record); choose another file");
            MakePrivate(file);
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        _file = file;
        _identity = FileIdentity.Of(file.SafeFileHandle);
        _needsRepair = true; // until it succeeds: a start that failed half-way repairs before the first write
    }

    /// <summary>Takes the permissions beyond the configured mode (0600) away from an existing file, and says so.</summary>
    private void MakePrivate(FileStream file)
    {
        if (OperatingSystem.IsWindows()) return;
        var mode = File.GetUnixFileMode(file.SafeFileHandle);
        var tight = mode & _options.FileMode;
        if (tight == mode) return;
        File.SetUnixFileMode(file.SafeFileHandle, tight);
        JsonlLog.MadePrivate(_logger, Name, Octal(mode), Octal(tight));
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8).PadLeft(3, '0');

    private async ValueTask CloseFileAsync()
    {
        var file = _file;
        _file = null;
        _identity = null;
        if (file is not null) await file.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Brings file and ledger into agreement and leaves the file positioned at its end.</summary>
    /// <param name="followed">
    /// Whether the file is not the one the ledger's offset describes (a new file after rotation, or this one truncated):
    /// the sink goes on after its last complete line and records that offset, and nothing in it is taken for its own.
    /// </param>
    /// <param name="ct">Cancels the repair.</param>
    private async ValueTask RepairAsync(bool followed, CancellationToken ct)
    {
        var file = _file!;
        _needsRepair = true;
        var recorded = followed ? null : await _ledger.GetOffsetAsync(Name, ct).ConfigureAwait(false);
        var length = file.Length;
        long offset;
        bool own;
        if (followed)
        {
            offset = await JsonlRepair.LastLineEndAsync(file, length, ct).ConfigureAwait(false);
            own = false;
        }
        else if (recorded is not { } r)
        {
            // The ledger never recorded this sink: every complete line is accounted for (a lost state store), and a
            // fragment after them is not known to be the sink's own.
            offset = 0;
            own = false;
        }
        else if (length < r)
        {
            JsonlLog.FileShrunk(_logger, Name, length, r);
            // Continue after the file's last complete line; a fragment after it is not the sink's torn write.
            offset = await JsonlRepair.LastLineEndAsync(file, length, ct).ConfigureAwait(false);
            own = false;
        }
        else
        {
            offset = r;
            own = true;
        }
        if (length == offset)
        {
            if (offset != recorded) await _ledger.RecordAsync(Name, [], offset, ct).ConfigureAwait(false);
            file.Position = length;
            _needsRepair = false;
            return;
        }

        var result = await JsonlRepair.RunAsync(file, offset, (keys, end) => _ledger.RecordAsync(Name, keys, end, ct), own, ct).ConfigureAwait(false);
        RecoveredLines = result.Recovered;
        UnparsableLines = result.Unparsable;
        TornBytesCut = result.TornBytes;
        // Each failed attempt on a full disk may tear a line again: the first cut of the episode says it for all.
        if (result.TornBytes > 0 && !_tornCutWhileFailing) JsonlLog.TornLineCut(_logger, Name, result.TornBytes);
        _tornCutWhileFailing |= result.TornBytes > 0 && _writeFailing;
        if (result.EndedBytes > 0) JsonlLog.ForeignLineEnded(_logger, Name, result.EndedBytes);
        if (result.Recovered > 0) JsonlLog.LinesRecovered(_logger, Name, result.Recovered);
        if (result.Unparsable > 0)
            JsonlLog.UnparsableLines(_logger, Name, result.Unparsable, result.FirstUnparsableOffset, result.FirstUnparsableReason ?? "");
        _needsRepair = false;
    }
}
