namespace Tgwatch.Faults;

/// <summary>Orders fault kinds by how loudly they must be handled, to pick one verdict out of several.</summary>
internal static class FaultSeverity
{
    /// <summary>Bug &gt; Resource &gt; Auth &gt; RateLimited &gt; Timeout &gt; Network &gt; Cancelled.</summary>
    public static int Rank(FaultKind kind) => kind switch
    {
        FaultKind.Cancelled => 0,
        FaultKind.Network => 1,
        FaultKind.Timeout => 2,
        FaultKind.RateLimited => 3,
        FaultKind.Auth => 4,
        FaultKind.Resource => 5,
        _ => 6,
    };

    /// <summary>The more severe of two verdicts; of two rate limits, the one asking for the longer wait.</summary>
    public static Fault MoreSevere(Fault a, Fault b)
    {
        var rankA = Rank(a.Kind);
        var rankB = Rank(b.Kind);
        if (rankA != rankB)
        {
            return rankA > rankB ? a : b;
        }

        return b.RetryAfter > a.RetryAfter || (a.RetryAfter is null && b.RetryAfter is not null) ? b : a;
    }
}
