using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Tgwatch.Connectors;

namespace Tgwatch.Tdlib.Connector;

/// <summary>The bounded queue a TDLib connector (live or an export) hands its deliveries through, and how a read drains it.</summary>
internal static class DeliveryOutput
{
    /// <summary>A queue of <paramref name="capacity"/> deliveries, one reader; a full queue holds its writers back.</summary>
    public static Channel<Delivery> Create(int capacity) => Channel.CreateBounded<Delivery>(new BoundedChannelOptions(capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>
    /// The deliveries of <paramref name="output"/> until it completes (its error thrown), or until <paramref name="stopping"/>
    /// (the connector disposed mid-read: the read ends instead of waiting) while the caller's <paramref name="ct"/> is not.
    /// </summary>
    public static async IAsyncEnumerable<Delivery> ReadAsync(ChannelReader<Delivery> output, CancellationToken run, CancellationToken stopping,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        while (true)
        {
            Delivery? delivery;
            try
            {
                if (!await output.WaitToReadAsync(run).ConfigureAwait(false)) break;
                if (!output.TryRead(out delivery)) continue;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                break;
            }
            yield return delivery;
        }
    }
}
