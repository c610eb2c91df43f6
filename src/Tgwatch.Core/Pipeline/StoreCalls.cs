using Microsoft.Extensions.Logging;
using Polly;
using Tgwatch.Faults;
using Tgwatch.Storage;

namespace Tgwatch.Pipeline;

/// <summary>
/// The pipeline's calls to the state store, retried until they work or the run is cancelled: without
/// the store nothing may be committed, so the pipeline waits rather than loses. A transient fault or a
/// local resource (a full disk) is reported once when it starts; any other fault, which waiting may not
/// cure (a damaged file), is reported at every attempt, at most once per backoff period.
/// </summary>
internal sealed class StoreCalls
{
    private readonly ResiliencePipeline _retry;
    private readonly ResiliencePipeline _bounded;
    private readonly ILogger _logger;
    private int _failing;

    public StoreCalls(IStateStore store, PipelineOptions options, ILogger logger, TimeProvider time)
    {
        Store = store;
        _logger = logger;
        _retry = Transient.Retry(options, int.MaxValue, kind => kind != FaultKind.Cancelled, OnRetry, time);
        _bounded = Transient.Retry(options, BoundedAttempts, kind => kind != FaultKind.Cancelled, OnRetry, time);
    }

    /// <summary>Attempts of a call whose failure can be borne (see <see cref="TryRunAsync"/>).</summary>
    internal const int BoundedAttempts = 5;

    /// <summary>A call whose loss is bearable (the record of a failure, not a message): a few attempts, then false.</summary>
    public async ValueTask<bool> TryRunAsync(Func<IStateStore, CancellationToken, ValueTask> call, CancellationToken ct)
    {
        try
        {
            await _bounded.ExecuteAsync(static (state, token) => state.call(state.Store, token), (call, Store), ct).ConfigureAwait(false);
            Volatile.Write(ref _failing, 0);
            return true;
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    public IStateStore Store { get; }

    public async ValueTask<T> RunAsync<T>(Func<IStateStore, CancellationToken, ValueTask<T>> call, CancellationToken ct)
    {
        var result = await _retry.ExecuteAsync(static (state, token) => state.call(state.Store, token), (call, Store), ct).ConfigureAwait(false);
        Volatile.Write(ref _failing, 0);
        return result;
    }

    public async ValueTask RunAsync(Func<IStateStore, CancellationToken, ValueTask> call, CancellationToken ct)
    {
        await _retry.ExecuteAsync(static (state, token) => state.call(state.Store, token), (call, Store), ct).ConfigureAwait(false);
        Volatile.Write(ref _failing, 0);
    }

    private void OnRetry(Exception e, int attempt)
    {
        var kind = FaultClassifier.Default.Classify(e).Kind;
        if (Transient.IsTransient(kind) || kind == FaultKind.Resource)
        {
            if (Interlocked.Exchange(ref _failing, 1) == 0) Log.StoreFailing(_logger, kind, e);
            return;
        }
        Log.StoreBroken(_logger, kind, attempt + 1, e);
    }
}
