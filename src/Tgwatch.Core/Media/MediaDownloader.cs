using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Tgwatch.Faults;
using Tgwatch.Formatting;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Resilience;
using Tgwatch.Storage;

namespace Tgwatch.Media;

/// <summary>
/// Downloads the files of messages written with <c>media.state = "pending"</c>, in the background, as the reply resolver
/// resolves replies: the pending downloads live in the state store (added with their batch's commit, so they survive a
/// stop), each ended download becomes a media update written to the sinks, and its entry goes with that update's commit.
/// Up to <see cref="MediaOptions.Parallel"/> files download at once, each once per <c>file_unique_id</c> (a message whose
/// file is being downloaded for another waits for that download and names its file); failures are retried with the
/// <see cref="Backoff.Step"/>; a full disk pauses the downloads (one loud line) until there is room again, without counting
/// as an attempt.
/// </summary>
internal sealed class MediaDownloader
{
    private readonly MediaDownloads _setup;
    private readonly MediaOptions _options;
    private readonly IPendingReplyStore _pending;
    private readonly PipelineStats _stats;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Signal _wake = new();
    private readonly ConcurrentDictionary<string, MediaDownload> _done = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<Attempt>> _fetching = new(StringComparer.Ordinal); // file_unique_id -> its download in flight
    private long _pausedAt; // when downloads paused for a full disk (a timestamp), 0 when they go

    public MediaDownloader(MediaDownloads setup, IStateStore store, PipelineStats stats, ILogger logger, TimeProvider time)
    {
        _setup = setup;
        _options = setup.Options.Validate();
        _pending = store.PendingDownloads;
        _stats = stats;
        _logger = logger;
        _time = time;
        Folder = new MediaFolder(_options.Directory);
    }

    public MediaFolder Folder { get; }

    /// <summary>True while downloads wait for room on the disk.</summary>
    public bool Paused => Volatile.Read(ref _pausedAt) != 0;

    /// <summary>
    /// The message as it is written first: its media marked pending (to be downloaded: <c>Pending</c> is true), or failed
    /// at once when the file is larger than allowed; unchanged when it has no file of a chosen type.
    /// </summary>
    public (TgMessage Message, bool Pending) Mark(TgMessage m)
    {
        if (m.IsUpdate || m.Kind == MessageKind.Delete || m.Media is not { File: { } file, Download: null } media || !_options.Types.Contains(media.Type))
            return (m, false);
        string? tooBig = null;
        if (file.Size is { } size && _setup.Source.MaxFileSize is { } limit && size > limit)
            tooBig = $"too big: {MediaOptions.FormatSize(size)}, this connector downloads files up to {MediaOptions.FormatSize(limit)}";
        else if (file.Size is { } size2 && size2 > _options.MaxSize)
            tooBig = $"too big: {MediaOptions.FormatSize(size2)}, over the media size limit of {MediaOptions.FormatSize(_options.MaxSize)}";
        if (tooBig is null) return (m with { Media = media with { Download = MediaDownload.Pending } }, true);
        Interlocked.Increment(ref _stats.mediaFailed);
        return (m with { Media = media with { Download = new MediaDownload(MediaState.Failed, Error: tooBig) } }, false);
    }

    /// <summary>Wakes the loop (new pending downloads were committed).</summary>
    public void Wake() => _wake.Set();

    /// <summary>
    /// The loop: downloads what is due, up to <see cref="MediaOptions.Parallel"/> files at once (one while the disk is full),
    /// and hands each ended download to <paramref name="emit"/> (written, then committed). On a stop it ends once the downloads
    /// in flight have ended (cancelled: their temporary files removed, their entries still pending).
    /// </summary>
    public async Task RunAsync(Func<TgMessage, PendingReply, CancellationToken, ValueTask> emit, CancellationToken ct)
    {
        Folder.RemoveLeftovers();
        // The entries being downloaded or written, by key: each from its start to the end of its update's commit (until
        // then it is still in the store, due).
        var running = new Dictionary<string, Task>(StringComparer.Ordinal);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    foreach (var ended in running.Where(r => r.Value.IsCompleted).Select(r => r.Key).ToList()) running.Remove(ended);
                    var wait = await StartDueAsync(running, emit, ct).ConfigureAwait(false);
                    if (wait > TimeSpan.Zero) await _wake.WaitAsync(wait, _time, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    MediaLog.LoopFailed(_logger, FaultClassifier.Default.Classify(e, ct).Kind, e);
                    try { await Task.Delay(_options.RetryDelay, _time, ct).ConfigureAwait(false); }
                    catch (OperationCanceledException) { return; }
                }
            }
        }
        finally
        {
            await Task.WhenAll(running.Values).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(1);

    /// <summary>
    /// Starts the due entries that are not running, as many as there are free places; returns how long to wait before
    /// looking again (a running download's end, or <see cref="Wake"/>, wakes the loop sooner).
    /// </summary>
    private async ValueTask<TimeSpan> StartDueAsync(Dictionary<string, Task> running, Func<TgMessage, PendingReply, CancellationToken, ValueTask> emit, CancellationToken ct)
    {
        // While the disk is full, one download at a time finds out when there is room again.
        var free = (Paused ? 1 : _options.Parallel) - running.Count;
        if (free <= 0) return LongestWait;
        var now = _time.GetUtcNow();
        // Earliest first, the running ones among them (they are due): as many more are asked for as there are free places,
        // so the first one not due yet, if any, says when to look again.
        var next = await _pending.DueAsync(now + LongestWait, running.Count + free, ct).ConfigureAwait(false);
        foreach (var pending in next)
        {
            if (running.ContainsKey(pending.Key)) continue;
            if (pending.NextAttempt > now) return pending.NextAttempt - now;
            if (free == 0) return LongestWait;
            var task = Task.Run(() => RunOneAsync(pending, emit, ct), CancellationToken.None);
            // Its end wakes the loop once it is over (seen as completed), not from its last lines.
            _ = task.ContinueWith(static (_, wake) => ((Signal)wake!).Set(), _wake, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            running[pending.Key] = task;
            free--;
        }
        return LongestWait;
    }

    /// <summary>One entry's download and update; a failure of its own (the store's) is said, and its place held a while.</summary>
    private async Task RunOneAsync(PendingReply pending, Func<TgMessage, PendingReply, CancellationToken, ValueTask> emit, CancellationToken ct)
    {
        try
        {
            await DownloadAsync(pending, emit, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            MediaLog.LoopFailed(_logger, FaultClassifier.Default.Classify(e, ct).Kind, e);
            try { await Task.Delay(_options.RetryDelay, _time, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
    }

    private async ValueTask DownloadAsync(PendingReply pending, Func<TgMessage, PendingReply, CancellationToken, ValueTask> emit, CancellationToken ct)
    {
        TgMessage message;
        try { message = TgMessageJson.Parse(pending.MessageJson); }
        catch (FormatException e)
        {
            MediaLog.Failed(_logger, pending.Key, $"stored record unreadable: {e.Message}");
            await _pending.RemoveAsync(pending.Key, ct).ConfigureAwait(false);
            return;
        }
        if (message.Media is not { File: { } file } media)
        {
            await _pending.RemoveAsync(pending.Key, ct).ConfigureAwait(false);
            return;
        }
        if (message.IsMediaUpdate)
        {
            // Ended in an earlier run whose write may have reached the sinks before it could commit: the same record again.
            await emit(message, pending, ct).ConfigureAwait(false);
            return;
        }
        var attempts = pending.Attempts;
        var result = await TryAsync(message, file, ct).ConfigureAwait(false);
        if (result.Download is not { } download)
        {
            if (result.Fault == FaultKind.Resource)
            {
                await PauseAsync(result.Reason!, file, ct).ConfigureAwait(false);
                return; // still due: tried again at once, not counted
            }
            attempts++;
            if (attempts < _options.Attempts)
            {
                var wait = Backoff.Step(attempts - 1, _options.RetryDelay, _options.MaxDelay);
                MediaLog.Retrying(_logger, pending.Key, result.Fault, result.Reason!, attempts, _options.Attempts, Duration.Format(wait));
                await _pending.RescheduleAsync(pending.Key, attempts, _time.GetUtcNow() + wait, ct).ConfigureAwait(false);
                return;
            }
            download = new MediaDownload(MediaState.Failed, Error: $"{attempts} attempts failed, the last: {result.Reason}");
        }
        if (download.State == MediaState.Failed)
        {
            MediaLog.Failed(_logger, pending.Key, download.Error!);
            Interlocked.Increment(ref _stats.mediaFailed);
        }
        var now = _time.GetUtcNow();
        var update = message with
        {
            Media = media with { Download = download },
            EditDate = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)),
            IsMediaUpdate = true,
        };
        // Kept before it is written: a run killed between the write and its commit writes this record again, not another.
        await _pending.AddAsync(pending with { MessageJson = TgMessageJson.ToJson(update, full: true), Attempts = attempts }, ct).ConfigureAwait(false);
        await emit(update, pending, ct).ConfigureAwait(false);
    }

    private readonly record struct Attempt(MediaDownload? Download, FaultKind Fault = FaultKind.Bug, string? Reason = null);

    private async ValueTask<Attempt> TryAsync(TgMessage message, MediaFile file, CancellationToken ct)
    {
        TaskCompletionSource<Attempt>? mine = null;
        Task<Attempt>? other;
        lock (_fetching)
        {
            // The same file in another message: downloaded once, that path is this message's too.
            if (_done.TryGetValue(file.UniqueId, out var had) && File.Exists(had.Path)) return new(had);
            if (!_fetching.TryGetValue(file.UniqueId, out other))
            {
                mine = new TaskCompletionSource<Attempt>(TaskCreationOptions.RunContinuationsAsynchronously);
                _fetching[file.UniqueId] = mine.Task;
            }
        }
        // Or being downloaded for another message right now: its result is this one's.
        if (mine is null) return await other!.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var attempt = await FetchAsync(message, file, ct).ConfigureAwait(false);
            mine.SetResult(attempt);
            return attempt;
        }
        finally
        {
            lock (_fetching) _fetching.Remove(file.UniqueId);
            mine.TrySetCanceled(ct); // stopped: whoever waited for it stops too
        }
    }

    private async ValueTask<Attempt> FetchAsync(TgMessage message, MediaFile file, CancellationToken ct)
    {
        try
        {
            // Or downloaded by an earlier run.
            if (await Folder.PlacedAsync(file, ct).ConfigureAwait(false) is { } placed)
            {
                _done[file.UniqueId] = placed;
                return new(placed);
            }
            var done = await Folder.SaveAsync(message.Chat.Id, message.MessageId, file, (stream, token) => _setup.Source.DownloadAsync(file, stream, token), ct)
                .ConfigureAwait(false);
            _done[file.UniqueId] = done;
            Interlocked.Increment(ref _stats.mediaDownloaded);
            Interlocked.Add(ref _stats.mediaBytes, done.Size ?? 0);
            if (Interlocked.Exchange(ref _pausedAt, 0) is var pausedAt and not 0)
                MediaLog.Resumed(_logger, Duration.Format(_time.GetElapsedTime(pausedAt)), Folder.Root);
            return new(done);
        }
        catch (MediaUnavailableException e)
        {
            return new(new MediaDownload(MediaState.Failed, Error: TextLines.FirstLine(e.Message)));
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var fault = e is InvalidDataException ? FaultKind.Network : FaultClassifier.Default.Classify(e, ct).Kind;
            return new(null, fault, TextLines.FirstLine(Secrets.SecretRedactor.Default.Redact(e.Message)));
        }
    }

    /// <summary>Waits until the disk has room for the file (checked every <see cref="MediaOptions.DiskCheckInterval"/>); one loud line when the pause begins.</summary>
    private async ValueTask PauseAsync(string reason, MediaFile file, CancellationToken ct)
    {
        if (Interlocked.CompareExchange(ref _pausedAt, Math.Max(1, _time.GetTimestamp()), 0) == 0) MediaLog.Paused(_logger, Folder.Root, reason);
        var room = Math.Max(file.Size ?? 0, 1L << 20);
        while (true)
        {
            await Task.Delay(_options.DiskCheckInterval, _time, ct).ConfigureAwait(false);
            if (_setup.FreeSpace(Folder.Root) is not { } free || free >= room) return;
        }
    }
}
