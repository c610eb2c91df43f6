using Tgwatch.Leases;

namespace Tgwatch.Postgres.Tests.Leases;

/// <summary>A runner's lease calls, through its <see cref="Machine"/>; the fence is the store's own (set in the process, no call).</summary>
internal sealed class MachineLeases(ILeaseStore inner, Machine machine) : ILeaseStore
{
    public async ValueTask<LeaseAttempt> TryAcquireAsync(string lease, RunnerInfo runner, TimeSpan ttl, CancellationToken ct)
    {
        await machine.PassAsync(ct);
        return await inner.TryAcquireAsync(lease, runner, ttl, ct);
    }

    public async ValueTask<bool> RenewAsync(LeaseGrant grant, TimeSpan ttl, CancellationToken ct)
    {
        await machine.PassAsync(ct);
        return await inner.RenewAsync(grant, ttl, ct);
    }

    public async ValueTask ReleaseAsync(LeaseGrant grant, CancellationToken ct)
    {
        await machine.PassAsync(ct);
        await inner.ReleaseAsync(grant, ct);
    }

    public void Fence(LeaseGrant? grant) => inner.Fence(grant);

    public async ValueTask<IReadOnlyList<RunnerRecord>> RunnersAsync(CancellationToken ct)
    {
        await machine.PassAsync(ct);
        return await inner.RunnersAsync(ct);
    }
}
