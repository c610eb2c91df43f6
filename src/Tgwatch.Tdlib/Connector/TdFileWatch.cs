using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector;

/// <summary>
/// Hands TDLib's <c>updateFile</c> to the downloads that follow a file: a download watches its file id before it asks for it
/// (<see cref="Watch"/>), then waits for each change. Fed by the update loop of whatever reads the session's updates (the
/// connector of a run, an export), which must be the only reader. Thread-safe.
/// </summary>
public sealed class TdFileWatch
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, List<TdFileProgress>> _watched = [];

    /// <summary>Starts following file <paramref name="fileId"/>; dispose the answer to stop.</summary>
    public TdFileProgress Watch(int fileId)
    {
        var progress = new TdFileProgress(this, fileId);
        lock (_lock)
        {
            if (!_watched.TryGetValue(fileId, out var list)) _watched[fileId] = list = [];
            list.Add(progress);
        }
        return progress;
    }

    /// <summary>A file's new state (from <c>updateFile</c>), handed to whoever follows it.</summary>
    public void Offer(TdFileState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        TdFileProgress[] to;
        lock (_lock)
        {
            if (!_watched.TryGetValue(state.Id, out var list)) return;
            to = [.. list];
        }
        foreach (var progress in to) progress.Offer(state);
    }

    internal void Forget(TdFileProgress progress)
    {
        lock (_lock)
        {
            if (!_watched.TryGetValue(progress.FileId, out var list)) return;
            list.Remove(progress);
            if (list.Count == 0) _watched.Remove(progress.FileId);
        }
    }
}

/// <summary>One download's view of its file: the latest state TDLib told of it, and a wait for the next.</summary>
public sealed class TdFileProgress : IDisposable
{
    private readonly TdFileWatch _watch;
    private readonly Lock _lock = new();
    private TdFileState? _latest;
    private TaskCompletionSource _changed = NewChange();

    internal TdFileProgress(TdFileWatch watch, int fileId)
    {
        _watch = watch;
        FileId = fileId;
    }

    /// <summary>The file followed.</summary>
    public int FileId { get; }

    /// <summary>The latest state, null before any.</summary>
    public TdFileState? Latest
    {
        get
        {
            lock (_lock) return _latest;
        }
    }

    /// <summary>
    /// Takes a new state: the latest one wins, but a complete file stays complete (TDLib's updates and answers are read on
    /// different threads, so an older update can come after the answer that completed the download).
    /// </summary>
    public void Offer(TdFileState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (_latest is { IsDownloadingCompleted: true }) return;
            _latest = state;
            changed = _changed;
            _changed = NewChange();
        }
        changed.TrySetResult();
    }

    /// <summary>Takes the state TDLib answered a request with (newer than any update read before it): it wins even over a complete one.</summary>
    public void Replace(TdFileState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        TaskCompletionSource changed;
        lock (_lock)
        {
            _latest = state;
            changed = _changed;
            _changed = NewChange();
        }
        changed.TrySetResult();
    }

    /// <summary>The state after <paramref name="seen"/>: at once when a newer one came, else the next one, or null when none came within <paramref name="timeout"/>.</summary>
    public async Task<TdFileState?> NextAsync(TdFileState? seen, TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        Task changed;
        lock (_lock)
        {
            if (!ReferenceEquals(_latest, seen)) return _latest;
            changed = _changed.Task;
        }
        if (timeout <= TimeSpan.Zero) return null;
        try
        {
            await changed.WaitAsync(timeout, time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
        return Latest;
    }

    /// <summary>Stops following the file.</summary>
    public void Dispose() => _watch.Forget(this);

    private static TaskCompletionSource NewChange() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
