using System.Collections.Concurrent;
using Tgwatch.Messages;
using Tgwatch.Pipeline;

namespace Tgwatch.Postgres.Tests.Leases;

/// <summary>A runner's sink, written through its <see cref="Machine"/>; the keys of every batch it wrote go to <paramref name="written"/>.</summary>
internal sealed class MachineSink(IMessageSink inner, Machine machine, ConcurrentQueue<string> written) : IMessageSink
{
    public string Name => inner.Name;

    public async ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
    {
        await machine.PassAsync(ct);
        await inner.WriteAsync(batch, ct);
        foreach (var m in batch) written.Enqueue(m.Key);
    }

    public ValueTask StartAsync(CancellationToken ct) => inner.StartAsync(ct);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
