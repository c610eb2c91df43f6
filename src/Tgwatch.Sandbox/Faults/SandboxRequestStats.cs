using System.Collections.Concurrent;

namespace Tgwatch.Sandbox.Faults;

/// <summary>Requests served (Bot API and admin API) and faults injected, counted from any thread.</summary>
internal sealed class SandboxRequestStats
{
    private readonly ConcurrentDictionary<string, long> _byMethod = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _byFault = new(StringComparer.Ordinal);
    private long _requests;
    private long _adminRequests;
    private long _faults;

    public long Requests => Interlocked.Read(ref _requests);

    public long AdminRequests => Interlocked.Read(ref _adminRequests);

    public long Faults => Interlocked.Read(ref _faults);

    public IReadOnlyDictionary<string, long> ByMethod => new SortedDictionary<string, long>(_byMethod, StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> ByFault => new SortedDictionary<string, long>(_byFault, StringComparer.Ordinal);

    public void Request(string method)
    {
        Interlocked.Increment(ref _requests);
        _byMethod.AddOrUpdate(method, 1, (_, n) => n + 1);
    }

    public void AdminRequest() => Interlocked.Increment(ref _adminRequests);

    public void Fault(SandboxFaultKind kind, int count = 1)
    {
        Interlocked.Add(ref _faults, count);
        _byFault.AddOrUpdate(FaultNames.Of(kind), count, (_, n) => n + count);
    }
}

/// <summary>The snake_case names the admin API uses for fault kinds.</summary>
internal static class FaultNames
{
    public static string Of(SandboxFaultKind kind) => kind switch
    {
        SandboxFaultKind.RateLimit => "rate_limit",
        SandboxFaultKind.BadGateway => "bad_gateway",
        SandboxFaultKind.Drop => "drop",
        SandboxFaultKind.DropResponse => "drop_response",
        SandboxFaultKind.Stall => "stall",
        SandboxFaultKind.Malformed => "malformed",
        _ => kind.ToString(),
    };
}
