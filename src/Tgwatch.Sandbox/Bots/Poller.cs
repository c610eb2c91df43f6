namespace Tgwatch.Sandbox.Bots;

/// <summary>One getUpdates request in progress; another request (or setWebhook) can terminate it with a reason.</summary>
internal sealed class Poller
{
    private readonly TaskCompletionSource<string> _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the 409 description when this request has to give way.</summary>
    public Task<string> Terminated => _terminated.Task;

    public void Terminate(string conflict) => _terminated.TrySetResult(conflict);
}
