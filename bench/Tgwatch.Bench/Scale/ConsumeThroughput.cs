using Tgwatch.Nats.Consumer;
using Tgwatch.Nats.Sink;
using Tgwatch.Postgres;
using Tgwatch.Postgres.Database;
using Tgwatch.Postgres.Sink;
using Tgwatch.TestKit;

namespace Tgwatch.Bench.Scale;

/// <summary>
/// <c>consume</c>: what <c>tgwatch consume --sink postgres:… --state postgres:…</c> runs, in process: the pipeline over a
/// <see cref="JetStreamConnector"/> (a durable pull consumer, acks after the commit) into the postgres sink, with the PostgreSQL
/// state store (processed keys, checkpoints) in the same database. The records are published beforehand (the nats sink, untimed);
/// the time runs from the pipeline's start to the last row written. Each run is a new durable and a new database.
/// </summary>
internal static class ConsumeThroughput
{
    public static Task<int> RunAsync(string[] args) => ScaleServers.RequireAsync(nats: true, postgres: true, async () =>
    {
        var messages = ScaleMath.Option(args, "--messages", 20_000);
        var rounds = ScaleMath.Option(args, "--rounds", 3);
        await using var server = await NatsServer.StartNewAsync();
        var cluster = await PostgresCluster.SharedAsync();
        var address = ScaleServers.Address(server);
        Console.WriteLine($"consume: {messages:N0} records in the stream, {rounds} rounds, in-process pipeline over JetStreamConnector -> postgres sink, PostgreSQL state store; {Environment.ProcessorCount} cores, load {ScaleServers.Load()}");
        await using (var publisher = new NatsSink(new NatsSinkOptions { Address = address }))
            await ScalePipeline.RunAsync(new GeneratedConnector(messages, 4), publisher, messages);
        await ConsumeAsync(cluster, address, "warm", messages);
        List<TimeSpan> runs = [];
        for (var round = 0; round < rounds; round++) runs.Add(await ConsumeAsync(cluster, address, $"bench{round}", messages));
        Console.WriteLine($"  consume -> postgres: {ScaleMath.Rate(ScaleMath.Rate(messages, runs.Min()))} msg/s (median {ScaleMath.Rate(ScaleMath.Rate(messages, ScaleMath.Median(runs)))}); load after {ScaleServers.Load()}");
        return 0;
    });

    private static async Task<TimeSpan> ConsumeAsync(PostgresCluster cluster, Tgwatch.Nats.NatsServerAddress address, string durable, int messages)
    {
        var database = await cluster.CreateDatabaseAsync("consume");
        await using var store = await PostgresStateStore.OpenAsync(database, TimeProvider.System, default);
        var connector = new JetStreamConnector(new JetStreamConnectorOptions { Address = address, Durable = durable });
        var elapsed = await ScalePipeline.RunAsync(connector, new PostgresMessageSink(PostgresTarget.Parse(database, "postgres sink")), messages, store);
        await PostgresSinkThroughput.CheckRowsAsync(database, messages);
        return elapsed;
    }
}
