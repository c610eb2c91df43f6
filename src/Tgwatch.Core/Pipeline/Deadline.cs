namespace Tgwatch.Pipeline;

/// <summary>
/// Runs a call that the pipeline does not own (a handler, a connector's reply read) under a deadline: the call's
/// token fires at the deadline, and a call that outlives it, honouring its token or not, is left behind and ends
/// in <see cref="DeadlineExceededException"/>. The caller's own cancellation stays a cancellation.
/// </summary>
internal static class Deadline
{
    public static async Task<T> RunAsync<T>(Func<CancellationToken, ValueTask<T>> call, TimeSpan limit, TimeProvider time, string what, CancellationToken ct)
    {
        using var timer = new CancellationTokenSource(limit, time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        Task<T> task;
        try { task = call(deadline.Token).AsTask(); }
        catch (Exception e) { task = Task.FromException<T>(e); }
        try
        {
            return await task.WaitAsync(limit, time, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new DeadlineExceededException(what, limit);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            await deadline.CancelAsync().ConfigureAwait(false);
            throw new DeadlineExceededException(what, limit);
        }
    }

    public static Task RunAsync(Func<CancellationToken, ValueTask> call, TimeSpan limit, TimeProvider time, string what, CancellationToken ct) =>
        RunAsync(async token =>
        {
            await call(token).ConfigureAwait(false);
            return true;
        }, limit, time, what, ct);
}

/// <summary>A call did not finish within its deadline (a time-out of ours, not of the call).</summary>
public sealed class DeadlineExceededException : TimeoutException
{
    /// <summary>Creates one for <paramref name="what"/> and its <paramref name="limit"/>.</summary>
    public DeadlineExceededException(string what, TimeSpan limit) : base($"{what} did not finish within {limit}") => Limit = limit;

    /// <summary>Creates one.</summary>
    public DeadlineExceededException()
    {
    }

    /// <summary>Creates one.</summary>
    public DeadlineExceededException(string message) : base(message)
    {
    }

    /// <summary>Creates one.</summary>
    public DeadlineExceededException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>The deadline that passed.</summary>
    public TimeSpan Limit { get; }
}
