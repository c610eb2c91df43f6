namespace Tgwatch;

/// <summary>
/// A wake-up call between two loops: <see cref="Set"/> any number of times, and the next <see cref="WaitAsync"/>
/// returns at once (once); otherwise it returns when the time is up on the given clock.
/// </summary>
public sealed class Signal : IDisposable
{
    private readonly SemaphoreSlim _set = new(0, 1);

    /// <summary>Wakes the waiter (or the next one); setting a set signal changes nothing.</summary>
    public void Set()
    {
        if (_set.CurrentCount != 0) return;
        try { _set.Release(); }
        catch (SemaphoreFullException) { }
    }

    /// <summary>Waits until the signal is set or <paramref name="timeout"/> has passed on <paramref name="time"/>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var woken = _set.WaitAsync(stop.Token);
        await Task.WhenAny(woken, Task.Delay(timeout, time, stop.Token)).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        // A cancelled wait leaves the semaphore's list a moment later: until it has, a Set would go to it and be lost.
        // Once it has ended (cancelled, or given the Set that came meanwhile: the caller looks again either way), a Set
        // goes to the next wait.
        await woken.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        ct.ThrowIfCancellationRequested();
    }

    /// <inheritdoc />
    public void Dispose() => _set.Dispose();
}
