using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Postgres.Database;
using Tgwatch.Postgres.Sink;
using Tgwatch.TestKit;

namespace Tgwatch.Bench.Scale;

/// <summary>
/// <c>postgres</c>: the whole pipeline into the postgres sink against a raw binary COPY of the same rows straight into
/// <c>tgwatch_messages</c> (made by the sink's migration), one transaction per batch of the pipeline's batch size, on one
/// throwaway PostgreSQL cluster started for the run. Each run writes into a new database whose table is made before the clock
/// starts, after a checkpoint; the two take turns run after run.
/// </summary>
internal static class PostgresSinkThroughput
{
    private const int Chats = 4;
    private const string Copy = "COPY tgwatch_messages (key, account, connector, chat_id, message_id, kind, date, edit_date, sender_id, text, record) FROM STDIN (FORMAT BINARY)";

    public static Task<int> RunAsync(string[] args) => ScaleServers.RequireAsync(nats: false, postgres: true, async () =>
    {
        var messages = ScaleMath.Option(args, "--messages", 50_000);
        var rounds = ScaleMath.Option(args, "--rounds", 3);
        var batch = new PipelineOptions().BatchSize;
        var cluster = await PostgresCluster.SharedAsync();
        Console.WriteLine($"postgres: {messages:N0} rows per run, {Chats} chats, batch {batch}, {rounds} rounds; PostgreSQL on 127.0.0.1:{cluster.Port} (fsync off); {Environment.ProcessorCount} cores, load {ScaleServers.Load()}");
        // Warm-up: a whole run of each, untimed, so that every per-batch method has reached optimized code (after its 30th
        // call) and the compiler's thread is quiet before the clock starts; with 5,000 rows the first timed round ran beside it.
        await RawAsync(cluster, messages, batch);
        await SinkAsync(cluster, messages);
        List<TimeSpan> raw = [], sink = [], rawCpu = [], sinkCpu = [];
        for (var round = 0; round < rounds; round++)
        {
            var cpu = Environment.CpuUsage.TotalTime;
            raw.Add(await RawAsync(cluster, messages, batch));
            rawCpu.Add(Environment.CpuUsage.TotalTime - cpu);
            cpu = Environment.CpuUsage.TotalTime;
            sink.Add(await SinkAsync(cluster, messages));
            sinkCpu.Add(Environment.CpuUsage.TotalTime - cpu);
            Console.WriteLine($"  round {round + 1}: raw {ScaleMath.Rate(ScaleMath.Rate(messages, raw[^1]))} rows/s, sink {ScaleMath.Rate(ScaleMath.Rate(messages, sink[^1]))} rows/s ({(raw[^1] / sink[^1] * 100).ToString("F0", CultureInfo.InvariantCulture)} %)");
        }
        var (best, median) = ScaleMath.Ratio(raw, sink);
        Console.WriteLine($"  raw binary COPY:          {ScaleMath.Rate(ScaleMath.Rate(messages, raw.Min()))} rows/s (median {ScaleMath.Rate(ScaleMath.Rate(messages, ScaleMath.Median(raw)))})");
        Console.WriteLine($"  pipeline -> postgres sink: {ScaleMath.Rate(ScaleMath.Rate(messages, sink.Min()))} rows/s (median {ScaleMath.Rate(ScaleMath.Rate(messages, ScaleMath.Median(sink)))})");
        Console.WriteLine($"  sink/raw: median of the rounds' ratios {ScaleMath.Percent(ScaleMath.PairedRatio(raw, sink), 80)}; best/best {best.ToString("F0", CultureInfo.InvariantCulture)} %, median/median {median.ToString("F0", CultureInfo.InvariantCulture)} %; load after {ScaleServers.Load()}");
        Console.WriteLine($"  CPU of this process per row (medians; each run's setup included): raw {ScaleMath.CpuPer(rawCpu, messages)} us, sink {ScaleMath.CpuPer(sinkCpu, messages)} us");
        return 0;
    });

    private static async Task<TimeSpan> RawAsync(PostgresCluster cluster, int messages, int batch)
    {
        var database = await ReadyDatabaseAsync(cluster);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        var clock = Stopwatch.StartNew();
        for (var from = 0; from < messages; from += batch)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var copy = await connection.BeginBinaryImportAsync(Copy))
            {
                for (var i = from; i < Math.Min(messages, from + batch); i++)
                {
                    var m = SqliteSinkThroughput.Message(i, Chats);
                    await copy.StartRowAsync();
                    await copy.WriteAsync(m.Key, NpgsqlDbType.Text);
                    await copy.WriteAsync(m.Account, NpgsqlDbType.Text);
                    await copy.WriteAsync(m.Connector, NpgsqlDbType.Text);
                    await copy.WriteAsync(m.Chat.Id, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(m.MessageId, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(MessageKey.KindName(m.Kind), NpgsqlDbType.Text);
                    await copy.WriteAsync(m.Date.UtcDateTime, NpgsqlDbType.TimestampTz);
                    await copy.WriteNullAsync(); // edit_date: none are edits
                    await copy.WriteAsync(m.Sender!.Id, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(m.Text!, NpgsqlDbType.Text);
                    await copy.WriteAsync(TgMessageJson.ToJson(m), NpgsqlDbType.Jsonb);
                }
                await copy.CompleteAsync();
            }
            await transaction.CommitAsync();
        }
        var elapsed = clock.Elapsed;
        await CheckRowsAsync(database, messages);
        return elapsed;
    }

    private static async Task<TimeSpan> SinkAsync(PostgresCluster cluster, int messages)
    {
        var database = await ReadyDatabaseAsync(cluster);
        var elapsed = await ScalePipeline.RunAsync(new GeneratedConnector(messages, Chats), new PostgresMessageSink(PostgresTarget.Parse(database, "postgres sink")), messages);
        await CheckRowsAsync(database, messages);
        return elapsed;
    }

    /// <summary>
    /// A new database with the table made by the sink's migration, as both runs start from; then a checkpoint, so that the
    /// server does not write out the last run's changes during this one.
    /// </summary>
    private static async Task<string> ReadyDatabaseAsync(PostgresCluster cluster)
    {
        var database = await cluster.CreateDatabaseAsync("bench");
        await new PostgresMessageSink(PostgresTarget.Parse(database, "postgres sink")).DisposeAfterStartAsync();
        await PostgresCluster.QueryAsync(database, "CHECKPOINT");
        return database;
    }

    /// <summary>Every row is there, once.</summary>
    internal static async Task CheckRowsAsync(string database, int messages)
    {
        var rows = (long)(await PostgresCluster.QueryAsync(database, "SELECT count(*) FROM tgwatch_messages"))!;
        if (rows != messages) throw new InvalidOperationException($"{rows} rows in tgwatch_messages, not {messages}");
    }

    private static async Task DisposeAfterStartAsync(this PostgresMessageSink sink)
    {
        await using (sink) await sink.StartAsync(default);
    }
}
