namespace Tgwatch.Chaos;

/// <summary>The fault in force, numbered; <see cref="Ended"/> completes when another one replaces it.</summary>
internal sealed class ProxyFaultState(ProxyFault fault, long generation)
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ProxyFault Fault { get; } = fault;

    /// <summary>Increases with every <see cref="FaultProxy.SetFault"/>, even when the fault is the same.</summary>
    public long Generation { get; } = generation;

    /// <summary>Completes once this state has been replaced (never before: waiters loop on it).</summary>
    public Task Ended => _ended.Task;

    /// <summary>Called after the state has been replaced.</summary>
    public void End() => _ended.TrySetResult();
}
