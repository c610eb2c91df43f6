using Microsoft.Extensions.Logging;
using Tgwatch.Messages;
using Tgwatch.Storage;

namespace Tgwatch.Sinks.Outbox;

/// <summary>
/// The pipeline's half of a sink whose commit is the outbox: starts its <see cref="OutboxSender"/> (which first sends what a
/// previous run left), puts batches into the outbox (durable, idempotent on the key) and wakes the sender, and stops it.
/// </summary>
internal sealed class OutboxFront(string name, IStateStore store, OutboxSender sender, TimeProvider time, ILogger logger)
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _disposed;

    public bool Disposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Starts the background sender.</summary>
    public async ValueTask StartAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        if (_loop is not null) throw new InvalidOperationException($"{name}: already started");
        sender.SetPending(await store.Outbox.CountAsync(name, ct).ConfigureAwait(false));
        _loop = Task.Run(() => sender.RunAsync(_stop.Token), CancellationToken.None);
        sender.Wake();
    }

    /// <summary>
    /// Puts the messages into the outbox (each key once, ever; again after a dead letter when <paramref name="replay"/>) and wakes
    /// the sender.
    /// </summary>
    public async ValueTask EnqueueAsync(IReadOnlyList<TgMessage> batch, bool replay, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(Disposed, this);
        if (_loop is null) throw new InvalidOperationException($"{name}: StartAsync must be called before WriteAsync");
        if (batch.Count == 0) return;
        var seen = new HashSet<string>(batch.Count, StringComparer.Ordinal);
        var items = new List<OutboxItem>(batch.Count);
        foreach (var message in batch)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(batch));
            var key = message.Key;
            if (seen.Add(key)) items.Add(new OutboxItem(key, TgMessageJson.ToUtf8(message)));
        }
        if (items.Count == 0) return;
        var added = replay
            ? await store.Outbox.RequeueAsync(name, items, ct).ConfigureAwait(false)
            : await store.Outbox.EnqueueAsync(name, items, ct).ConfigureAwait(false);
        if (added == 0) return;
        sender.AddPending(added);
        sender.Wake();
    }

    /// <summary>
    /// Stops the sender. While delivery works, waits up to <paramref name="shutdownTimeout"/> for the outbox to empty; when it is
    /// failing, stops at once. Records not sent stay in the outbox for the next run. False when stopped before.
    /// </summary>
    public async ValueTask<bool> StopAsync(TimeSpan shutdownTimeout)
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return false;
        if (_loop is { } loop)
        {
            sender.Drain();
            if (!sender.Failing)
            {
                try
                {
                    await loop.WaitAsync(shutdownTimeout, time).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
            }
            await _stop.CancelAsync().ConfigureAwait(false);
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (sender.Stats.Pending is > 0 and var pending) OutboxLog.StoppedWithPending(logger, name, pending);
        }
        _stop.Dispose();
        return true;
    }
}
