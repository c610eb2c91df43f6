namespace Tgwatch.Leases;

/// <summary>
/// A fenced store refused a change: the lease the runner held has been taken over (its generation is not the grant's).
/// The runner is no longer active and must commit nothing more; it is not a failure to retry.
/// </summary>
public sealed class LeaseLostException : Exception
{
    /// <summary>The lease <paramref name="grant"/> held, now another's.</summary>
    public LeaseLostException(LeaseGrant grant)
        : base($"the lease {grant?.Lease} was taken over (this runner held generation {grant?.Generation}); nothing more is committed by it")
    {
        ArgumentNullException.ThrowIfNull(grant);
        Grant = grant;
    }

    /// <summary>The lost grant.</summary>
    public LeaseGrant Grant { get; }
}
