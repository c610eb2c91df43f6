using Microsoft.Extensions.Logging;
using Tgwatch.Faults;
using Tgwatch.Formatting;

namespace Tgwatch.Leases;

/// <summary>
/// A lease this runner holds: renewed every <see cref="RunnerLease.Every"/> until disposed (then released, so a standby takes
/// over at once). <see cref="Lost"/> is cancelled when another runner took it over, or when no renewal worked for the time a
/// renewal holds it (the store unreachable: by then a standby may have taken it). The store stays fenced with the grant:
/// whatever this runner still tries to commit after that is refused.
/// </summary>
public sealed class ActiveLease : IAsyncDisposable
{
    private readonly ILeaseStore _store;
    private readonly RunnerLease _lease;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;

    internal ActiveLease(ILeaseStore store, LeaseGrant grant, RunnerLease lease, ILogger logger, TimeProvider time)
    {
        _store = store;
        Grant = grant;
        _lease = lease;
        _logger = logger;
        _time = time;
        Lost = _lost.Token;
        _renewing = Task.Run(() => RenewAsync(_stop.Token));
    }

    /// <summary>The lease held.</summary>
    public LeaseGrant Grant { get; }

    /// <summary>Cancelled once the lease is lost.</summary>
    public CancellationToken Lost { get; }

    /// <summary>Whether the lease was lost (also after <see cref="DisposeAsync"/>).</summary>
    public bool IsLost => LostBecause is not null;

    /// <summary>Why the lease was lost, once it is.</summary>
    public string? LostBecause => Volatile.Read(ref _lostBecause);

    private string? _lostBecause;

    private async Task RenewAsync(CancellationToken ct)
    {
        var renewed = _time.GetTimestamp();
        var failing = false;
        try
        {
            while (true)
            {
                await Task.Delay(_lease.Every, _time, ct).ConfigureAwait(false);
                // Measured from before the call: a renewal holds the lease from when the store got it, not from when it answered.
                var asked = _time.GetTimestamp();
                try
                {
                    if (!await _store.RenewAsync(Grant, _lease.Ttl, ct).ConfigureAwait(false))
                    {
                        Lose("another runner took it over");
                        return;
                    }
                    renewed = asked;
                    failing = false;
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    if (!failing) LeaseLog.StoreFailing(_logger, Grant.Lease, FaultClassifier.Default.Classify(e, ct).Kind, Pipeline.SinkWriter.Reason(e), Duration.Format(_lease.Every));
                    failing = true;
                    if (_time.GetElapsedTime(renewed) >= _lease.Ttl)
                    {
                        Lose($"not renewed for {Duration.Format(_time.GetElapsedTime(renewed))} (a standby may hold it now)");
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    // The renewal and a refused commit may find it out at once: said once.
    private void Lose(string reason)
    {
        if (Interlocked.CompareExchange(ref _lostBecause, reason, null) is not null) return;
        LeaseLog.Lost(_logger, Grant.Lease, reason);
        _lost.Cancel();
    }

    /// <summary>Says the lease lost because a fenced commit was refused (the renewal may not have noticed yet).</summary>
    public void Refused()
    {
        if (!IsLost && !_disposed) Lose("a commit was refused: another runner holds it");
    }

    private bool _disposed;

    /// <summary>Stops renewing and gives the lease up, unless it was lost.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!IsLost)
        {
            try
            {
                using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _store.ReleaseAsync(Grant, bounded.Token).ConfigureAwait(false);
                LeaseLog.Released(_logger, Grant.Lease);
            }
            catch (ObjectDisposedException)
            {
                // The store closed first (it failed to open a sink): the lease runs out by itself within the lease time.
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Not released: it runs out by itself within the lease time.
                LeaseLog.StoreFailing(_logger, Grant.Lease, FaultClassifier.Default.Classify(e).Kind, Pipeline.SinkWriter.Reason(e), Duration.Format(_lease.Every));
            }
        }
        _lost.Dispose();
        _stop.Dispose();
    }
}
