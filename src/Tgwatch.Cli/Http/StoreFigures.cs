using Tgwatch.Storage;

namespace Tgwatch.Cli.Http;

/// <summary>
/// What the live answers show of the state store (dead letters and replies waiting, checkpoints, the chats' last messages):
/// read when asked, at most every <see cref="MaxAge"/>, and never holding an answer up longer than <see cref="Wait"/> (the
/// store is the pipeline's: a read waits for a commit under way; past the wait the answer has the previous figures).
/// </summary>
internal sealed class StoreFigures(IStateStore store, TimeProvider time)
{
    /// <summary>How old figures may be before they are read again.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    /// <summary>How long an answer waits for a read.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(1);

    private readonly Lock _sync = new();
    private Task? _reading;
    private volatile Read? _last;

    /// <summary>Figures and when they were read.</summary>
    public sealed record Read(StoreStatus Status, DateTimeOffset At);

    /// <summary>The figures last read (null before the first read ended), without reading.</summary>
    public Read? Last => _last;

    /// <summary>Figures at most <see cref="MaxAge"/> old, read now if need be (waiting at most <see cref="Wait"/>; then the last ones).</summary>
    public async Task<Read?> FreshAsync(CancellationToken ct)
    {
        Task reading;
        lock (_sync)
        {
            if (_last is { } last && time.GetUtcNow() - last.At < MaxAge) return last;
            if (_reading is null || _reading.IsCompleted) _reading = ReadAsync();
            reading = _reading;
        }
        try
        {
            await reading.WaitAsync(Wait, time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The store is busy (a long commit, a disk that is full): the figures read before.
        }
        return _last;
    }

    private async Task ReadAsync()
    {
        try
        {
            var status = await store.GetStatusAsync(CancellationToken.None).ConfigureAwait(false);
            _last = new Read(status, time.GetUtcNow());
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The store is closing (the run stops) or failing (the pipeline says so, loudly): the answers go without its figures.
        }
    }
}
