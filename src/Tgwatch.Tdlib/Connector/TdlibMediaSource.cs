using System.Collections.Concurrent;
using System.Globalization;
using Tgwatch.Media;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector;

/// <summary>
/// Downloads a message's file through TDLib: <c>downloadFile</c> (not synchronous), followed by TDLib's <c>updateFile</c>
/// until the file is complete, then its bytes copied from <c>local.path</c> and TDLib's own copy deleted (<c>deleteFile</c>:
/// the file is kept once, in the media directory). A download is given up (<c>cancelDownloadFile</c>, retried later from
/// what TDLib has) only when no byte came for <see cref="StallTimeout"/>, however long the file takes; one TDLib stops
/// without completing is retried too. An error TDLib gives for the file itself (400: the file cannot be had) is a
/// <see cref="MediaUnavailableException"/>. Messages with the same file download it at once under one TDLib file id, and
/// TDLib's cancel and delete are for the file id: TDLib is told only when the last download of a file ends (its copy deleted
/// when one of them copied it out, else its download cancelled), and a download of it that starts meanwhile waits for that;
/// but a stall is the file's: the first download to give up on one cancels TDLib's download of the file at once.
/// </summary>
public sealed class TdlibMediaSource : IMediaSource
{
    private readonly ITdSession _session;
    private readonly TdFileWatch _files;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<TdFileProgress, TdFileState> _inFlight = new();
    private readonly Lock _usesLock = new();
    private readonly Dictionary<int, FileUse> _uses = [];

    /// <summary>A source over an authorized <paramref name="session"/> whose updates feed <paramref name="files"/>.</summary>
    /// <param name="session">The authorized session.</param>
    /// <param name="files">Where the session's <c>updateFile</c> go (the connector's or the export's <c>Files</c>).</param>
    /// <param name="stallTimeout">How long a download may go without a byte before it is given up for now.</param>
    /// <param name="time">The clock.</param>
    public TdlibMediaSource(ITdSession session, TdFileWatch files, TimeSpan stallTimeout, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(files);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(stallTimeout, TimeSpan.Zero);
        _session = session;
        _files = files;
        StallTimeout = stallTimeout;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How long a download may go without a byte.</summary>
    public TimeSpan StallTimeout { get; }

    /// <summary>How long TDLib may take to answer one request (<c>downloadFile</c> answers at once, with the download under way).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public long? MaxFileSize => null;

    /// <inheritdoc />
    public MediaInFlight InFlight
    {
        get
        {
            int files = 0;
            long bytes = 0, total = 0;
            foreach (var state in _inFlight.Values)
            {
                files++;
                bytes += state.DownloadedSize;
                total += Math.Max(state.Total, state.DownloadedSize);
            }
            return new MediaInFlight(files, bytes, total);
        }
    }

    /// <inheritdoc />
    public async ValueTask DownloadAsync(MediaFile file, Stream destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(destination);
        if (!int.TryParse(file.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw new MediaUnavailableException($"'{file.Id}' is not a TDLib file id");
        var use = await EnterAsync(id).ConfigureAwait(false);
        bool copied = false, stalled = false;
        try
        {
            using var progress = _files.Watch(id);
            try
            {
                var state = await StartAsync(id, progress, ct).ConfigureAwait(false);
                try
                {
                    state = await WaitAsync(state, progress, ct).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    stalled = true;
                    throw;
                }
                if (state.Size > 0 && new FileInfo(state.Path) is { Exists: true } info && info.Length != state.Size)
                    throw new IOException($"TDLib's file has {info.Length:N0} bytes, {state.Size:N0} were expected");
                var source = new FileStream(state.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920,
                    FileOptions.Asynchronous | FileOptions.SequentialScan);
                await using (source.ConfigureAwait(false)) await source.CopyToAsync(destination, ct).ConfigureAwait(false);
                copied = true;
            }
            finally
            {
                _inFlight.TryRemove(progress, out _);
            }
        }
        finally
        {
            await LeaveAsync(id, use, copied, stalled).ConfigureAwait(false);
        }
    }

    /// <summary>The downloads of one file id under way, and what TDLib is told when the last ends.</summary>
    private sealed class FileUse
    {
        /// <summary>How many downloads of the file are under way.</summary>
        public int Count;

        /// <summary>One of them copied the file out: TDLib's copy is deleted when the last ends.</summary>
        public bool Copied;

        /// <summary>TDLib being told the last ended (a cancel, a delete): a new download of the file waits for it.</summary>
        public Task Told = Task.CompletedTask;
    }

    /// <summary>One more download of file <paramref name="id"/>; after TDLib was told the previous ones ended.</summary>
    private async Task<FileUse> EnterAsync(int id)
    {
        FileUse? use;
        Task told;
        lock (_usesLock)
        {
            if (!_uses.TryGetValue(id, out use)) _uses[id] = use = new FileUse();
            use.Count++;
            told = use.Told;
        }
        // Never fails, and takes at most ForgetAsync's limit: a delete sent after this download's downloadFile would take its file.
        await told.ConfigureAwait(false);
        return use;
    }

    /// <summary>
    /// A download of file <paramref name="id"/> ended; the last one tells TDLib: its copy deleted once copied out, else its
    /// download cancelled. One that <paramref name="stalled"/> cancels it at once: the stall is the file's, the others wait
    /// on it too, and with their retries overlapping the last might never come.
    /// </summary>
    private async Task LeaveAsync(int id, FileUse use, bool copied, bool stalled)
    {
        TaskCompletionSource? told = null;
        var delete = false;
        lock (_usesLock)
        {
            use.Copied |= copied;
            if (--use.Count > 0 && !stalled) return;
            if (use.Count == 0)
            {
                delete = use.Copied;
                use.Copied = false;
                told = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                use.Told = told.Task;
            }
        }
        if (told is null)
        {
            await ForgetAsync(new CancelDownloadFile(id, OnlyIfPending: false)).ConfigureAwait(false);
            return;
        }
        try
        {
            await ForgetAsync(delete ? new DeleteFile(id) : new CancelDownloadFile(id, OnlyIfPending: false)).ConfigureAwait(false);
        }
        finally
        {
            lock (_usesLock)
            {
                if (use.Count == 0) _uses.Remove(id);
            }
            told.SetResult();
        }
    }

    private async Task<TdFileState> StartAsync(int id, TdFileProgress progress, CancellationToken ct)
    {
        System.Text.Json.JsonElement answer;
        try
        {
            answer = await _session.SendAsync(new DownloadFile(id, Priority: 1, Offset: 0, Limit: 0, Synchronous: false), RequestTimeout, ct).ConfigureAwait(false);
        }
        catch (TdlibErrorException e) when (e.Code == 400)
        {
            throw new MediaUnavailableException($"TDLib cannot download the file: {e.Message}", e);
        }
        var started = FileOf(answer, "downloadFile");
        // Updates and answers are read on different threads: an updateFile already taken is newer than the answer or as new
        // (those TDLib sent before it say what it says), so the answer counts only when none came.
        if (progress.Latest is null) progress.Offer(started);
        return progress.Latest ?? started;
    }

    /// <summary>Follows the file until it is complete; throws when TDLib stops it or no byte comes for <see cref="StallTimeout"/>.</summary>
    private async Task<TdFileState> WaitAsync(TdFileState state, TdFileProgress progress, CancellationToken ct)
    {
        var bytes = state.DownloadedSize;
        var since = _time.GetTimestamp();
        while (!state.IsDownloadingCompleted)
        {
            if (!state.IsDownloadingActive)
            {
                // An updateFile sent before downloadFile's answer (a cancel's) can be read after it, on the update loop's
                // thread: a download that seems stopped is asked about, the answer being newer than any update read before it.
                state = await GetAsync(state.Id, progress, ct).ConfigureAwait(false);
                if (state.IsDownloadingCompleted) break;
                if (!state.IsDownloadingActive)
                    throw new IOException($"TDLib stopped the download at {MediaOptions.FormatSize(state.DownloadedSize)} of {MediaOptions.FormatSize(state.Total)}");
            }
            _inFlight[progress] = state;
            var next = await progress.NextAsync(state, StallTimeout - _time.GetElapsedTime(since), _time, ct).ConfigureAwait(false);
            if (next is null)
                throw new TimeoutException($"no byte came for {Duration.Format(StallTimeout)} (at {MediaOptions.FormatSize(state.DownloadedSize)} of {MediaOptions.FormatSize(state.Total)})");
            if (next.DownloadedSize > bytes)
            {
                bytes = next.DownloadedSize;
                since = _time.GetTimestamp();
            }
            state = next;
        }
        if (string.IsNullOrEmpty(state.Path)) throw new IOException("TDLib said the download is complete but gave no path");
        return state;
    }

    /// <summary>The file as TDLib has it now (<c>getFile</c>), taken as the latest state.</summary>
    private async Task<TdFileState> GetAsync(int id, TdFileProgress progress, CancellationToken ct)
    {
        var state = FileOf(await _session.SendAsync(new GetFile(id), RequestTimeout, ct).ConfigureAwait(false), "getFile");
        progress.Replace(state);
        return state;
    }

    /// <summary>The <c>file</c> TDLib answered <paramref name="request"/> with; an <see cref="IOException"/> when it is not one.</summary>
    private static TdFileState FileOf(System.Text.Json.JsonElement answer, string request) =>
        TdFileState.TryRead(answer, out var state, out var why) ? state : throw new IOException($"TDLib answered {request} with no file: {why}");

    /// <summary>Sends a request whose answer does not matter (a cancel, a delete): its failure changes nothing for the download.</summary>
    private async Task ForgetAsync(TdFunction request)
    {
        try
        {
            await _session.SendAsync(request, TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TdlibErrorException or TimeoutException or TdlibClientClosedException or OperationCanceledException)
        {
        }
    }
}
