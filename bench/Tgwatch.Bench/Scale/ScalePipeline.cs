using System.Diagnostics;
using Tgwatch.Connectors;
using Tgwatch.Pipeline;
using Tgwatch.Storage;

namespace Tgwatch.Bench.Scale;

/// <summary>The pipeline as the scale benchmarks time it: default options, one sink, a null state store unless one is given.</summary>
internal static class ScalePipeline
{
    /// <summary>
    /// Runs the pipeline until <paramref name="messages"/> were written (the connector's end, or the stop asked for then, for a
    /// connector that never ends); returns the time from its start to then. The sink is disposed after.
    /// </summary>
    public static async Task<TimeSpan> RunAsync(IConnector connector, IMessageSink sink, int messages, IStateStore? store = null)
    {
        using var stop = new CancellationTokenSource();
        var counting = new NullSink(written => { if (written >= messages) stop.Cancel(); });
        var pipeline = new MessagePipeline(connector, [new Tee(sink, counting)], store ?? new NullStateStore(), new PipelineOptions());
        var clock = Stopwatch.StartNew();
        try
        {
            await pipeline.RunAsync(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        var elapsed = clock.Elapsed;
        await sink.DisposeAsync();
        await connector.DisposeAsync();
        if (counting.Written < messages) throw new InvalidOperationException($"the pipeline wrote {counting.Written} of {messages}");
        return elapsed;
    }

    /// <summary>The sink measured, then a count of what it wrote (which ends the run once all is written).</summary>
    private sealed class Tee(IMessageSink inner, NullSink counter) : IMessageSink
    {
        public string Name => inner.Name;

        public ValueTask StartAsync(CancellationToken ct) => inner.StartAsync(ct);

        public async ValueTask WriteAsync(IReadOnlyList<Tgwatch.Messages.TgMessage> batch, CancellationToken ct)
        {
            await inner.WriteAsync(batch, ct);
            await counter.WriteAsync(batch, ct);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
