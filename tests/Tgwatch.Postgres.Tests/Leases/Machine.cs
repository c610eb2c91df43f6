namespace Tgwatch.Postgres.Tests.Leases;

/// <summary>
/// The machine a runner of a test runs on, as the shared database sees it: every call of the runner's lease, state store and
/// sinks goes through <see cref="PassAsync"/>. Running, the calls go on; paused (SIGSTOP, a long GC pause), they wait until it
/// resumes, then go on; dead (kill -9), none goes on ever again. A call waiting here honours its own cancellation.
/// </summary>
internal sealed class Machine
{
    private static readonly Task Never = new TaskCompletionSource().Task;
    private readonly Lock _sync = new();
    private TaskCompletionSource _running = Completed();
    private readonly CancellationTokenSource _gone = new();
    private bool _dead;

    /// <summary>Raised at each pause, resume and death: a call tells which stretch of the machine's life it began in.</summary>
    public int Epoch { get; private set; }

    /// <summary>Waits until the machine lets the call go on (never, once it is dead); the epoch the call came in.</summary>
    public async Task<int> PassAsync(CancellationToken ct)
    {
        Task open;
        int epoch;
        lock (_sync)
        {
            open = _dead ? Never : _running.Task;
            epoch = Epoch;
        }
        if (!open.IsCompleted)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(ct, _gone.Token);
            await open.WaitAsync(either.Token).ConfigureAwait(false);
        }
        return epoch;
    }

    /// <summary>Stops every call where it is, until <see cref="Resume"/>.</summary>
    public void Pause()
    {
        lock (_sync)
        {
            if (_running.Task.IsCompleted) _running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Epoch++;
        }
    }

    /// <summary>Lets every call go on again, those that waited first.</summary>
    public void Resume()
    {
        lock (_sync)
        {
            if (_dead) return;
            Epoch++;
            _running.TrySetResult();
        }
    }

    /// <summary>Nothing goes on ever again (the calls wait on, those of a pause too, until the test ends with <see cref="Bury"/>).</summary>
    public void Kill()
    {
        lock (_sync)
        {
            _dead = true;
            Epoch++;
        }
    }

    /// <summary>The end of the test: the calls of a dead machine fail (they never go on), so what is left of its runner can end. Nothing on a living one.</summary>
    public void Bury()
    {
        lock (_sync)
            if (_dead) _gone.Cancel();
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }
}
