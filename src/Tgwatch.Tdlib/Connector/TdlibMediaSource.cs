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
/// <see cref="MediaUnavailableException"/>.
/// </summary>
public sealed class TdlibMediaSource : IMediaSource
{
    private readonly ITdSession _session;
    private readonly TdFileWatch _files;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<TdFileProgress, TdFileState> _inFlight = new();

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
        using var progress = _files.Watch(id);
        var done = false;
        try
        {
            var state = await StartAsync(id, progress, ct).ConfigureAwait(false);
            state = await WaitAsync(state, progress, ct).ConfigureAwait(false);
            done = true;
            if (state.Size > 0 && new FileInfo(state.Path) is { Exists: true } info && info.Length != state.Size)
                throw new IOException($"TDLib's file has {info.Length:N0} bytes, {state.Size:N0} were expected");
            var source = new FileStream(state.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920,
                FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (source.ConfigureAwait(false)) await source.CopyToAsync(destination, ct).ConfigureAwait(false);
            await ForgetAsync(new DeleteFile(id)).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.TryRemove(progress, out _);
            if (!done) await ForgetAsync(new CancelDownloadFile(id, OnlyIfPending: false)).ConfigureAwait(false);
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
        if (!TdFileState.TryRead(answer, out var started, out var why))
            throw new IOException($"TDLib answered downloadFile with no file: {why}");
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
                throw new IOException($"TDLib stopped the download at {MediaOptions.FormatSize(state.DownloadedSize)} of {MediaOptions.FormatSize(state.Total)}");
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
