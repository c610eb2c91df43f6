using System.Globalization;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Formatting;
using Tgwatch.Messages;

namespace Tgwatch.Connectors.File;

/// <summary>
/// Delivers the records of a JSONL file (the contract of ARCHITECTURE §4, one per line), for importing an
/// archive into other sinks or replaying it. The position is the line number (with a hash of the line), so an import that
/// is stopped or killed goes on from the last committed line. Replies resolve from records read earlier.
/// A line that is not a record is counted and skipped (the first one is logged), never fatal.
/// Each file has a position of its own (its stream is the file's identity: path, device and inode, a hash of its
/// first line; or a name given for it with the hash of its first line), and a file that has fewer lines than its position,
/// or another line where it was, is said to have changed.
/// </summary>
public sealed partial class JsonlFileConnector : IConnector
{
    private readonly string _path;
    private readonly string? _name;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<MessageRef, string?> _seen = new();
    private const int MaxRemembered = 100_000;
    private long _badLines;

    /// <summary>A connector over the file at <paramref name="path"/>, for <paramref name="account"/> (the state store keys checkpoints by it).</summary>
    /// <param name="path">The file.</param>
    /// <param name="account">The account its checkpoints are kept under.</param>
    /// <param name="logger">Where its lines go.</param>
    /// <param name="name">A name for the file's position, instead of its identity (the same name goes on from the same position whatever the file).</param>
    public JsonlFileConnector(string path, string account = "file", ILogger? logger = null, string? name = null)
    {
        _path = path;
        _name = name;
        Account = account;
        _logger = logger ?? NullLogger.Instance;
        Status = new ConnectionStatus(ConnectionState.Disconnected, null, DateTimeOffset.UtcNow);
    }

    /// <inheritdoc />
    public string Name => ConnectorName;

    /// <summary>The connector's name, under which an import's checkpoints are kept.</summary>
    public const string ConnectorName = "file";

    /// <inheritdoc />
    public string Account { get; }

    /// <inheritdoc />
    public ConnectionStatus Status { get; private set; }

    /// <inheritdoc />
    public event Action<ConnectionStatus>? StatusChanged;

    /// <summary>Lines that were not records.</summary>
    public long BadLines => Interlocked.Read(ref _badLines);

    /// <inheritdoc />
    public async IAsyncEnumerable<Delivery> ReadAsync(IReadOnlyDictionary<string, long> committed, [EnumeratorCancellation] CancellationToken ct)
    {
        var file = Open();
        var stream = StreamOf(file);
        var (done, doneHash) = committed.TryGetValue(stream, out var d) ? (LineOf(d), d & HashMask) : (0, 0);
        SetStatus(ConnectionState.Ready, null);
        await using (file.ConfigureAwait(false))
        {
            using var reader = new StreamReader(file, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, 1 << 16);
            long line = 0;
            var next = await reader.ReadLineAsync(ct).ConfigureAwait(false);
            while (next is { } text)
            {
                next = await reader.ReadLineAsync(ct).ConfigureAwait(false); // null: text is the last line read
                line++;
                if (line == done && (PositionOf(line, text) & HashMask) != doneHash)
                {
                    throw new ConnectorException(string.Create(CultureInfo.InvariantCulture,
                        $"{_path} changed since it was imported: its line {line}, the last one imported, is not what it was; tgwatch import --restart reads it again from its first line (records already in the sinks are not written again)"));
                }
                if (line <= done)
                {
                    // Imported before: not delivered again, but remembered, so replies to it resolve as they did then.
                    if (text.Length > 0 && _seen.Count < MaxRemembered && Parse(text, out _) is { } before) Remember(before);
                    continue;
                }
                string? error = null;
                var message = text.Length > 0 ? Parse(text, out error) : null;
                if (message is null && next is null && !EndsWithLineEnd(file))
                {
                    // An unfinished last line (a writer in the middle of it, or a torn line its repair writes
                    // again): giving its position away would skip the record once the line is complete.
                    LogUnfinishedLine(_path, line);
                    break;
                }
                if (message is not null) Remember(message);
                else if (error is not null && Interlocked.Increment(ref _badLines) == 1) LogBadLine(_path, line, error);
                yield return new Delivery(message, new Checkpoint(stream, PositionOf(line, text)));
            }
            if (line < done)
            {
                throw new ConnectorException(string.Create(CultureInfo.InvariantCulture,
                    $"{_path} changed since it was imported: it has {line} lines, {done} were imported from it; tgwatch import --restart reads it again from its first line (records already in the sinks are not written again)"));
            }
        }
        // The status stays Ready: replies are resolved from the records read, after the end of the file too.
        if (BadLines > 1) LogBadLines(_path, BadLines);
    }

    private const int HashBits = 24;
    private const long HashMask = (1L << HashBits) - 1;

    /// <summary>
    /// A position: the line number above <see cref="HashBits"/> bits of a hash of the line's text, so positions rise with the
    /// lines and a later import can tell that the line it goes on from is still the one imported.
    /// </summary>
    private static long PositionOf(long line, string text)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return (line << HashBits) | (((long)digest[0] << 16) | ((long)digest[1] << 8) | digest[2]);
    }

    /// <summary>The line number of a position of this connector.</summary>
    public static long LineOf(long position) => position >> HashBits;

    /// <summary>The stream the file's position is kept under (its identity, or the name given for it).</summary>
    /// <exception cref="ConnectorException">The file cannot be read.</exception>
    public string Stream()
    {
        using var file = Open();
        return StreamOf(file);
    }

    private string StreamOf(FileStream file) => ImportedFile.StreamOf(_name is { } name ? "name:" + name : _path, file, withDevice: _name is null);

    private FileStream Open()
    {
        try
        {
            return new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var reason = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => TextLines.FirstLine(e.Message),
            };
            throw new ConnectorException($"cannot read {_path}: {reason}", e);
        }
    }

    /// <summary>Whether the last byte read from <paramref name="file"/> ends a line.</summary>
    private static bool EndsWithLineEnd(FileStream file)
    {
        if (file.Position == 0) return true;
        Span<byte> last = stackalloc byte[1];
        return RandomAccess.Read(file.SafeFileHandle, last, file.Position - 1) == 1 && last[0] is (byte)'\n' or (byte)'\r';
    }

    private void Remember(TgMessage message)
    {
        if (_seen.Count < MaxRemembered) _seen[message.Ref] = message.TextOrCaption;
    }

    /// <summary>The record on a line, or null (with why) when the line is not one.</summary>
    private static TgMessage? Parse(string text, out string? error)
    {
        try
        {
            error = null;
            // Cut like a connector cuts what the network gives: an archive's huge text does not go to the sinks whole.
            return MessageText.Bound(TgMessageJson.Parse(text));
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <inheritdoc />
    public ValueTask CommitAsync(Checkpoint upTo, CancellationToken ct) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask<ReplyResult> ResolveReplyAsync(MessageRef reply, CancellationToken ct) =>
        ValueTask.FromResult(_seen.TryGetValue(reply, out var text) ? ReplyResult.Resolved(text) : ReplyResult.Gone);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void SetStatus(ConnectionState state, string? reason)
    {
        Status = new ConnectionStatus(state, reason, DateTimeOffset.UtcNow);
        StatusChanged?.Invoke(Status);
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "{Path} line {Line} is not a record and is skipped: {Reason}")]
    private partial void LogBadLine(string path, long line, string reason);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "{Path} line {Line} is unfinished (no line end, not a record) and is left for a later import")]
    private partial void LogUnfinishedLine(string path, long line);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "{Path}: {Count} lines were not records and were skipped")]
    private partial void LogBadLines(string path, long count);
}
