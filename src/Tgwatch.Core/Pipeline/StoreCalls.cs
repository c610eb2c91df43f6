using Microsoft.Extensions.Logging;
using Polly;
using Tgwatch.Faults;
using Tgwatch.Storage;

namespace Tgwatch.Pipeline;

/// <summary>
/// The pipeline's calls to the state store, retried until they work or the run is cancelled: without
/// the store nothing may be committed, so the pipeline waits rather than loses. A transient fault or a
/// local resource (a full disk, a locked file) is reported in one line when it starts, in a counted summary
/// at most once a minute while it lasts, and in one line when the store works again; any other fault, which
/// waiting may not cure (a damaged file), is reported with its stack trace at every attempt, at most once per
/// backoff period.
/// </summary>
internal sealed class StoreCalls
{
    private readonly ResiliencePipeline _retry;
    private readonly ResiliencePipeline _retryRead;
    private readonly ResiliencePipeline _bounded;
    private readonly ILogger _logger;
    // Reads and writes fail and recover apart: on a full disk the look-ups still work while every commit fails, and a
    // look-up that works says nothing about the commits.
    private readonly FailureStreak _streak;
    private readonly FailureStreak _readStreak;

    public StoreCalls(IStateStore store, PipelineOptions options, ILogger logger, TimeProvider time, Func<double>? randomizer = null)
    {
        randomizer ??= Random.Shared.NextDouble;
        Store = store;
        _logger = logger;
        _streak = new FailureStreak(time);
        _readStreak = new FailureStreak(time);
        _retry = Transient.Retry(options, int.MaxValue, kind => kind != FaultKind.Cancelled, (e, attempt) => OnRetry(_streak, e, attempt), time, randomizer);
        _retryRead = Transient.Retry(options, int.MaxValue, kind => kind != FaultKind.Cancelled, (e, attempt) => OnRetry(_readStreak, e, attempt), time, randomizer);
        _bounded = Transient.Retry(options, BoundedAttempts, kind => kind != FaultKind.Cancelled, (e, attempt) => OnRetry(_streak, e, attempt), time, randomizer);
    }

    /// <summary>Attempts of a call whose failure can be borne (see <see cref="TryRunAsync"/>).</summary>
    internal const int BoundedAttempts = 5;

    /// <summary>A call whose loss is bearable (the record of a failure, not a message): a few attempts, then false.</summary>
    public async ValueTask<bool> TryRunAsync(Func<IStateStore, CancellationToken, ValueTask> call, CancellationToken ct)
    {
        try
        {
            await _bounded.ExecuteAsync(static (state, token) => state.call(state.Store, token), (call, Store), ct).ConfigureAwait(false);
            Recovered(_streak);
            return true;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public IStateStore Store { get; }

    /// <summary>A call that changes the store, retried until it works.</summary>
    public async ValueTask<T> RunAsync<T>(Func<IStateStore, CancellationToken, ValueTask<T>> call, CancellationToken ct)
    {
        var result = await _retry.ExecuteAsync(static (state, token) => state.call(state.Store, token), (call, Store), ct).ConfigureAwait(false);
        Recovered(_streak);
        return result;
    }

    /// <summary>A call that only reads the store, retried until it works.</summary>
    public async ValueTask<T> ReadAsync<T>(Func<IStateStore, CancellationToken, ValueTask<T>> call, CancellationToken ct)
    {
        var result = await _retryRead.ExecuteAsync(static (state, token) => state.call(state.Store, token), (call, Store), ct).ConfigureAwait(false);
        Recovered(_readStreak);
        return result;
    }

    /// <summary>A call that changes the store, retried until it works.</summary>
    public async ValueTask RunAsync(Func<IStateStore, CancellationToken, ValueTask> call, CancellationToken ct)
    {
        await _retry.ExecuteAsync(static (state, token) => state.call(state.Store, token), (call, Store), ct).ConfigureAwait(false);
        Recovered(_streak);
    }

    private void Recovered(FailureStreak streak)
    {
        if (streak.Succeeded(out var ended)) Log.StoreRecovered(_logger, ended.Attempts, ended.Duration);
    }

    private void OnRetry(FailureStreak streak, Exception e, int attempt)
    {
        var kind = FaultClassifier.Default.Classify(e).Kind;
        var step = streak.Failed(out var since);
        if (!Transient.IsTransient(kind) && kind != FaultKind.Resource)
        {
            Log.StoreBroken(_logger, kind, attempt + 1, e);
            return;
        }
        if (step == FailureStreak.Step.Started) Log.StoreFailing(_logger, kind, SinkWriter.Reason(e), null);
        else if (step == FailureStreak.Step.Summary) Log.StoreStillFailing(_logger, kind, since.Attempts, since.Duration);
    }
}
