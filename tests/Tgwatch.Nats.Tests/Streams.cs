using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Tgwatch.TestKit;

namespace Tgwatch.Nats.Tests;

/// <summary>A plain NATS.Net client on a test's server, to look at what the code under test left in JetStream.</summary>
internal sealed class Streams : IAsyncDisposable
{
    private readonly NatsConnection _connection;

    public Streams(NatsServer server)
    {
        _connection = new NatsConnection(new NatsOpts { Url = server.Url });
        Js = new NatsJSContext(_connection);
    }

    public NatsJSContext Js { get; }

    public NatsConnection Connection => _connection;

    /// <summary>Every message of the stream, in stream order.</summary>
    public async Task<List<INatsJSMsg<byte[]>>> AllAsync(string stream = "TGWATCH")
    {
        var info = await Js.GetStreamAsync(stream);
        var count = (int)info.Info.State.Messages;
        var consumer = await Js.CreateOrderedConsumerAsync(stream);
        var all = new List<INatsJSMsg<byte[]>>();
        if (count == 0) return all;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var m in consumer.ConsumeAsync<byte[]>(cancellationToken: cts.Token))
        {
            all.Add(m);
            if (all.Count == count) break;
        }
        return all;
    }

    /// <summary>Publishes records as a runner's sink would, without the sink (a stream made first when absent).</summary>
    public async Task PublishAsync(IEnumerable<Messages.TgMessage> messages, string stream = "TGWATCH")
    {
        try
        {
            await Js.GetStreamAsync(stream);
        }
        catch (NatsJSApiException)
        {
            await Js.CreateStreamAsync(new StreamConfig(stream, ["tgwatch.>"]) { DuplicateWindow = TimeSpan.FromMinutes(10) });
        }
        foreach (var m in messages)
        {
            var ack = await Js.PublishAsync(Subjects.Of("tgwatch", m), Messages.TgMessageJson.ToUtf8(m), opts: new NatsJSPubOpts { MsgId = Subjects.MessageId(m) });
            ack.EnsureSuccess();
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
