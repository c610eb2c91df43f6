using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Faults;
using Tgwatch.Formatting;

namespace Tgwatch.Leases;

/// <summary>
/// One runner's side of a lease: waits as standby until it takes the lease (<see cref="AcquireAsync"/>), then keeps it
/// (<see cref="ActiveLease"/>). The lease is held for three quarters of <see cref="Lease"/> at each renewal, renewed and
/// tried every quarter: a standby takes over at most <see cref="Lease"/> after the active runner stopped renewing.
/// </summary>
/// <param name="store">Where the lease is.</param>
/// <param name="name">The lease (<c>botapi/bot123</c>).</param>
/// <param name="runner">This runner.</param>
/// <param name="lease">The lease time (<c>--lease</c>).</param>
/// <param name="logger">Where its lines go.</param>
/// <param name="time">The clock of its waits.</param>
public sealed class RunnerLease(ILeaseStore store, string name, RunnerInfo runner, TimeSpan lease, ILogger? logger = null, TimeProvider? time = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The lease's name.</summary>
    public string Name { get; } = name;

    /// <summary>The lease time.</summary>
    public TimeSpan Lease { get; } = lease;

    /// <summary>How long one renewal holds the lease.</summary>
    public TimeSpan Ttl => Lease * 3 / 4;

    /// <summary>How often the lease is renewed, and tried by a standby.</summary>
    public TimeSpan Every => Lease / 4;

    /// <summary>
    /// Told at each try while this runner waits as standby, with where it stands in a few words
    /// (<c>standby: botapi/bot123 is active on HOST pid N since …</c>): what a service manager shows (systemd's STATUS=).
    /// </summary>
    public Action<string>? Waiting { get; set; }

    /// <summary>Waits as standby (one line, and one more when the holder changes) until the lease is taken; the store is fenced with it.</summary>
    public async Task<ActiveLease> AcquireAsync(CancellationToken ct)
    {
        string? saidHolder = null;
        var failing = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            LeaseAttempt attempt;
            try
            {
                attempt = await store.TryAcquireAsync(Name, runner, Ttl, ct).ConfigureAwait(false);
                failing = false;
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is not LeaseLostException)
            {
                if (!failing) LeaseLog.StoreFailing(_logger, Name, FaultClassifier.Default.Classify(e, ct).Kind, Pipeline.SinkWriter.Reason(e), Duration.Format(Every));
                failing = true;
                Waiting?.Invoke($"standby: {Name}: the state store cannot be reached, trying again");
                await Task.Delay(Every, _time, ct).ConfigureAwait(false);
                continue;
            }
            if (attempt.Granted is { } grant)
            {
                store.Fence(grant);
                if (attempt.TakenFrom is { } from) LeaseLog.TookOver(_logger, Name, from.Host, from.Pid, grant.Generation);
                else LeaseLog.Active(_logger, Name, grant.Generation, Duration.Format(Lease));
                return new ActiveLease(store, grant, this, _logger, _time);
            }
            if (attempt.Holder is { } holder)
            {
                if (holder.RunnerId != saidHolder) LeaseLog.Standby(_logger, Name, holder.Host, holder.Pid, holder.Since.UtcDateTime, Duration.Format(Lease));
                saidHolder = holder.RunnerId;
                Waiting?.Invoke(string.Create(CultureInfo.InvariantCulture, $"standby: {Name} is active on {holder.Host} pid {holder.Pid} since {holder.Since.UtcDateTime:u}"));
            }
            // Held (or its row busy a moment, or just taken by another at the same instant): the next try.
            await Task.Delay(Every, _time, ct).ConfigureAwait(false);
        }
    }
}
