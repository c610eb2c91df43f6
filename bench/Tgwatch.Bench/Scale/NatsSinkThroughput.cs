using System.Diagnostics;
using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Tgwatch.Formatting;
using Tgwatch.Messages;
using Tgwatch.Nats;
using Tgwatch.Nats.Sink;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.Bench.Scale;

/// <summary>
/// <c>nats</c>: the whole pipeline into the nats sink against raw NATS.Net JetStream publishes of the same records (same subjects,
/// bodies and <c>Nats-Msg-Id</c>s, the pipeline's batch size, every acknowledgement awaited before the next batch), on one
/// nats-server started for the run. Each run publishes into a new stream (file storage, duplicate window 10 min), so no record
/// is a duplicate; the two take turns run after run.
/// </summary>
internal static class NatsSinkThroughput
{
    private const int Chats = 4;

    public static Task<int> RunAsync(string[] args) => ScaleServers.RequireAsync(nats: true, postgres: false, async () =>
    {
        var messages = ScaleMath.Option(args, "--messages", 50_000);
        var rounds = ScaleMath.Option(args, "--rounds", 3);
        var batch = new PipelineOptions().BatchSize;
        await using var server = await NatsServer.StartNewAsync();
        Console.WriteLine($"nats: {messages:N0} records per run, {Chats} chats, batch {batch}, {rounds} rounds; nats-server {server.Url}; {Environment.ProcessorCount} cores, load {ScaleServers.Load()}");
        var run = 0;
        // Warm-up: a whole run of each, untimed, as in the postgres benchmark (every per-batch method optimized first).
        await RawAsync(server, $"W{run++}", messages, batch);
        await SinkAsync(server, $"W{run++}", messages);
        List<TimeSpan> raw = [], sink = [], rawCpu = [], sinkCpu = [];
        for (var round = 0; round < rounds; round++)
        {
            var cpu = Environment.CpuUsage.TotalTime;
            raw.Add(await RawAsync(server, $"B{run++}", messages, batch));
            rawCpu.Add(Environment.CpuUsage.TotalTime - cpu);
            cpu = Environment.CpuUsage.TotalTime;
            sink.Add(await SinkAsync(server, $"B{run++}", messages));
            sinkCpu.Add(Environment.CpuUsage.TotalTime - cpu);
            Console.WriteLine($"  round {round + 1}: raw {ScaleMath.Rate(ScaleMath.Rate(messages, raw[^1]))} msg/s, sink {ScaleMath.Rate(ScaleMath.Rate(messages, sink[^1]))} msg/s ({(raw[^1] / sink[^1] * 100).ToString("F0", CultureInfo.InvariantCulture)} %)");
        }
        var (best, median) = ScaleMath.Ratio(raw, sink);
        Console.WriteLine($"  raw JetStream publishes (acked): {ScaleMath.Rate(ScaleMath.Rate(messages, raw.Min()))} msg/s (median {ScaleMath.Rate(ScaleMath.Rate(messages, ScaleMath.Median(raw)))})");
        Console.WriteLine($"  pipeline -> nats sink:           {ScaleMath.Rate(ScaleMath.Rate(messages, sink.Min()))} msg/s (median {ScaleMath.Rate(ScaleMath.Rate(messages, ScaleMath.Median(sink)))})");
        Console.WriteLine($"  sink/raw: median of the rounds' ratios {ScaleMath.Percent(ScaleMath.PairedRatio(raw, sink), 80)}; best/best {best.ToString("F0", CultureInfo.InvariantCulture)} %, median/median {median.ToString("F0", CultureInfo.InvariantCulture)} %; load after {ScaleServers.Load()}");
        Console.WriteLine($"  CPU of this process per msg (medians; each run's setup included): raw {ScaleMath.CpuPer(rawCpu, messages)} us, sink {ScaleMath.CpuPer(sinkCpu, messages)} us");
        return 0;
    });

    private static async Task<TimeSpan> RawAsync(NatsServer server, string stream, int messages, int batch)
    {
        var subject = stream.ToLowerInvariant();
        var acks = new Task<PubAckResponse>[batch];
        // As the sink's time does, the raw loop's includes its connection and the stream's creation.
        var clock = Stopwatch.StartNew();
        await using var client = new NatsConnection(new NatsOpts { Url = server.Url });
        var js = new NatsJSContext(client);
        await js.CreateStreamAsync(new StreamConfig(stream, [subject + ".>"]) { Storage = StreamConfigStorage.File, DuplicateWindow = TimeSpan.FromMinutes(10) });
        for (var from = 0; from < messages; from += batch)
        {
            var count = Math.Min(batch, messages - from);
            for (var i = 0; i < count; i++)
            {
                var m = SqliteSinkThroughput.Message(from + i, Chats);
                acks[i] = js.PublishAsync(Subjects.Of(subject, m), TgMessageJson.ToUtf8(m), opts: new NatsJSPubOpts { MsgId = Subjects.MessageId(m) }).AsTask();
            }
            for (var i = 0; i < count; i++) (await acks[i]).EnsureSuccess();
        }
        var elapsed = clock.Elapsed;
        await js.DeleteStreamAsync(stream);
        return elapsed;
    }

    private static async Task<TimeSpan> SinkAsync(NatsServer server, string stream, int messages)
    {
        var sink = new NatsSink(new NatsSinkOptions { Address = ScaleServers.Address(server), Stream = stream, Subject = stream.ToLowerInvariant() });
        var elapsed = await ScalePipeline.RunAsync(new GeneratedConnector(messages, Chats), sink, messages);
        if (sink.Published != messages) throw new InvalidOperationException($"the sink published {sink.Published} of {messages}");
        await using (var client = new NatsConnection(new NatsOpts { Url = server.Url })) await new NatsJSContext(client).DeleteStreamAsync(stream);
        return elapsed;
    }
}
