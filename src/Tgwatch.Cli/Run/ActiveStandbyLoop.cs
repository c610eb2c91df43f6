using Tgwatch.Leases;
using Tgwatch.Storage;

namespace Tgwatch.Cli.Run;

/// <summary>
/// A run's life over its state store and sinks: opened, run active, closed. On a store several runners share, the runner takes
/// the account's lease once the store is open and before any sink is (it waits there as standby while another holds it); its
/// active run ends when it loses the lease, and then it closes its sinks and store and waits as standby again.
/// </summary>
internal static class ActiveStandbyLoop
{
    /// <summary>Runs until <paramref name="stopping"/> is cancelled or an active run ends for another reason than a lost lease.</summary>
    /// <typeparam name="TOpened">The open store and sinks.</typeparam>
    /// <param name="open">Opens the store and sinks; runs the function it is given (when not null) once the store is open, before any sink is.</param>
    /// <param name="takeLease">Takes the lease in the open store, waiting as standby meanwhile; null when the store is not shared.</param>
    /// <param name="runActive">Receives and writes until its token is cancelled: <paramref name="stopping"/>, or the lease lost.</param>
    /// <param name="stopping">The process stopping.</param>
    public static async Task RunAsync<TOpened>(
        Func<Func<IStateStore, CancellationToken, Task>?, CancellationToken, Task<TOpened>> open,
        Func<IStateStore, CancellationToken, Task<ActiveLease>>? takeLease,
        Func<TOpened, CancellationToken, Task> runActive,
        CancellationToken stopping)
        where TOpened : IAsyncDisposable
    {
        while (true)
        {
            ActiveLease? lease = null;
            try
            {
                await using var opened = await open(takeLease is null ? null : async (store, ct) => lease = await takeLease(store, ct).ConfigureAwait(false), stopping).ConfigureAwait(false);
                try
                {
                    using var active = CancellationTokenSource.CreateLinkedTokenSource(stopping, lease?.Lost ?? CancellationToken.None);
                    await runActive(opened, active.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (lease is not null && !stopping.IsCancellationRequested && (e is LeaseLostException || lease.IsLost))
                {
                    // Another runner holds the lease now: nothing more is committed here; back to waiting.
                    lease.Refused();
                }
                finally
                {
                    // Released while the store is open: a standby takes over at its next try.
                    if (lease is not null) await lease.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                if (lease is not null) await lease.DisposeAsync().ConfigureAwait(false);
            }
            if (stopping.IsCancellationRequested || lease is null || !lease.IsLost) break;
        }
    }
}
