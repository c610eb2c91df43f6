using Microsoft.Extensions.Logging;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Storage;

namespace Tgwatch.Pipeline;

/// <summary>
/// Keeps the connector's link state in the state store while a run lasts, for <c>tgwatch status</c>: on
/// every change (at most one write a second), every <see cref="PipelineOptions.LinkReportInterval"/> (so a record left by a killed run
/// is seen to be old), and how the run ended. Writes happen on its own task: the connector's event only
/// wakes it, and a burst of changes is one write of the latest state. A record that cannot be written is
/// skipped (a debug line; the store's failure itself is told as for any store call): it is a view, never a
/// reason to hold up messages.
/// </summary>
internal sealed class LinkRecorder(IConnector connector, StoreCalls store, PipelineOptions options, ILogger logger, TimeProvider time)
{
    private readonly SemaphoreSlim _changed = new(0, 1);

    private TimeSpan Spacing => options.LinkReportInterval < TimeSpan.FromSeconds(1) ? options.LinkReportInterval / 2 : TimeSpan.FromSeconds(1);

    public async Task RunAsync(CancellationToken stop)
    {
        connector.StatusChanged += OnChanged;
        try
        {
            while (true)
            {
                await RecordAsync(connector.Status, stop).ConfigureAwait(false);
                // A link that flaps is recorded at most once per spacing, its latest state each time.
                await Task.Delay(Spacing, time, stop).ConfigureAwait(false);
                using var period = new CancellationTokenSource(options.LinkReportInterval, time);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop, period.Token);
                try
                {
                    await _changed.WaitAsync(wait.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    // The period is over: renew the record.
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            connector.StatusChanged -= OnChanged;
        }
    }

    /// <summary>Records that the run has ended (at its very end, after the drain): "stopped", or the kind of failure that ended it.</summary>
    public async Task EndedAsync(Exception? failure)
    {
        // A stuck store does not hold up the end of a stop for long: the record is a view.
        using var bounded = new CancellationTokenSource(EndBound, time);
        var reason = failure is null ? "stopped" : $"stopped by a failure ({FaultClassifier.Default.Classify(failure).Kind}: {failure.GetType().Name})";
        var now = time.GetUtcNow();
        var link = new LinkRecord(connector.Account, connector.Name, ConnectionState.Disconnected, reason, now, now, options.LinkReportInterval, Ended: true);
        await WriteAsync(link, bounded.Token).ConfigureAwait(false);
    }

    /// <summary>How long the end of a run waits for its record to be written.</summary>
    internal static readonly TimeSpan EndBound = TimeSpan.FromSeconds(2);

    private void OnChanged(ConnectionStatus _)
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is pending already; it records the state as it is then.
        }
    }

    private Task RecordAsync(ConnectionStatus status, CancellationToken ct) =>
        WriteAsync(new LinkRecord(connector.Account, connector.Name, status.State, status.Reason, status.Since, time.GetUtcNow(), options.LinkReportInterval), ct);

    private async Task WriteAsync(LinkRecord link, CancellationToken ct)
    {
        if (!await store.TryRunAsync((s, token) => s.RecordLinkAsync(link, token), ct).ConfigureAwait(false))
            Log.LinkNotRecorded(logger, link.Connector, link.Account);
    }
}
