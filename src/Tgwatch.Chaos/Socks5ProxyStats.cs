using System.Collections.Concurrent;

namespace Tgwatch.Chaos;

/// <summary>What a <see cref="Socks5FaultProxy"/> has seen since it started: live counters, each read atomically (ARCHITECTURE §5).</summary>
public sealed class Socks5ProxyStats : ProxyStats
{
    private readonly ConcurrentDictionary<string, long> _targets = new(StringComparer.Ordinal);
    internal long greetings, requests;

    internal Socks5ProxyStats(LoopbackListener listener, Func<int> active)
        : base(listener, active)
    {
    }

    /// <summary>Well-formed SOCKS5 greetings read.</summary>
    public long Greetings => Interlocked.Read(ref greetings);

    /// <summary>Well-formed CONNECT requests read.</summary>
    public long ConnectRequests => Interlocked.Read(ref requests);

    /// <summary>How often each target was asked for (<c>149.154.175.50:443</c>, <c>[2001:b28:f23d:f001::a]:443</c>), as now; never dialled.</summary>
    public IReadOnlyDictionary<string, long> ConnectTargets => new SortedDictionary<string, long>(_targets, StringComparer.Ordinal);

    internal void Target(string target) => _targets.AddOrUpdate(target, 1, static (_, n) => n + 1);
}
