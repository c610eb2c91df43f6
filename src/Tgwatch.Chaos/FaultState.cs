namespace Tgwatch.Chaos;

/// <summary>The fault in force, numbered; <see cref="Ended"/> completes when another one replaces it.</summary>
internal sealed class FaultState(Fault fault, long generation)
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Fault Fault { get; } = fault;

    /// <summary>Increases with every <see cref="FaultProxy.SetFault"/>, even when the fault is the same.</summary>
    public long Generation { get; } = generation;

    public Task Ended => _ended.Task;

    public void End() => _ended.TrySetResult();
}
