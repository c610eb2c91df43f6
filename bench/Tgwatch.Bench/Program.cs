using BenchmarkDotNet.Running;
using Tgwatch.Bench;
using Tgwatch.Bench.Downloads;
using Tgwatch.Bench.Peers;
using Tgwatch.Bench.Scale;

// dotnet run -c Release --project bench/Tgwatch.Bench -- gate     in-process gate cost (BenchmarkDotNet)
// dotnet run -c Release --project bench/Tgwatch.Bench -- quiet    tgwatch quiet throughput against grep
// dotnet run -c Release --project bench/Tgwatch.Bench -- sqlite   SQLite sink against raw batched inserts
// dotnet run -c Release --project bench/Tgwatch.Bench -- store    state store commits and dedup lookups
// dotnet run -c Release --project bench/Tgwatch.Bench -- pipeline whole pipeline: null/SQLite sink, null/SQLite store, memory over 1M messages
// dotnet run -c Release --project bench/Tgwatch.Bench -- export   export of a chat's history (scripted TDLib 1.8.65) to JSONL against the pipeline alone, records/s
// dotnet run -c Release --project bench/Tgwatch.Bench -- recovery time from the link coming back to the first delivered message
// dotnet run -c Release --project bench/Tgwatch.Bench -- handler  an exec handler (Python) with MaxInFlight 1 and 32 against the program reading a file
// dotnet run -c Release --project bench/Tgwatch.Bench -- metrics        pipeline throughput with metrics off, with the heartbeat line, with --http (scraped every 1 s), in turns
//     2026-12-05, 2 cores: with --http 98.2 % of the throughput with metrics off (null store), 97.3 % (SQLite state store); goal >= 95 %
// dotnet run -c Release --project bench/Tgwatch.Bench -- metrics-micro  a stats counter increment, a histogram record with and without a listener (BenchmarkDotNet)
//     2026-12-05, 2 cores: counter 4.8 ns; lag record 17 ns (OpenTelemetry), 34 ns (and the heartbeat line); tagged sink write record 44 ns; no listener 0.5 ns; 0 B each
// dotnet run -c Release --project bench/Tgwatch.Bench -- peers  tgwatch run beside the bots a user writes by hand (bench/PlainBot, bench/grammy): drain, CPU, latency, start, idle, kill -9
// unshare -n -m bash -c "ip link set lo up && dotnet run -c Release --project bench/Tgwatch.Bench -- nats"      pipeline -> nats sink against raw acked JetStream publishes
// unshare -n -m bash -c "ip link set lo up && dotnet run -c Release --project bench/Tgwatch.Bench -- postgres"  pipeline -> postgres sink against raw binary COPY
// unshare -n -m bash -c "ip link set lo up && dotnet run -c Release --project bench/Tgwatch.Bench -- consume"   consume (JetStreamConnector) -> postgres sink msg/s
// unshare -n -m bash -c "ip link set lo up && dotnet run -c Release --project bench/Tgwatch.Bench -- lease"     takeover time over 10 kills -9 of the active runner
//     (the four start nats-server and PostgreSQL as the tests do; results in the README's performance section)
// dotnet run -c Release --project bench/Tgwatch.Bench -- media    run --media downloads from the Bot API sandbox against curl of the same files (MB/s)
// unshare -n dotnet run -c Release --project bench/Tgwatch.Bench -- tdlib    td_execute round trip against the raw call; TDLib updates parsed and mapped per second
return args.FirstOrDefault() switch
{
    "gate" => Run(() => BenchmarkRunner.Run<GatedLogEventBenchmarks>(args: args[1..])),
    "quiet" => await QuietThroughput.RunAsync(args[1..]),
    "sqlite" => await SqliteSinkThroughput.RunAsync(args[1..]),
    "store" => await StateStoreThroughput.RunAsync(),
    "pipeline" => await PipelineThroughput.RunAsync(args[1..]),
    "export" => await ExportThroughput.RunAsync(args[1..]),
    "recovery" => await RecoveryLatency.RunAsync(args[1..]),
    "tdlib" => TdlibThroughput.Run(args[1..]),
    "handler" => await HandlerThroughput.RunAsync(args[1..]),
    "metrics" => await MetricsOverhead.RunAsync(args[1..]),
    "peers" => await PeersBenchmark.RunAsync(args[1..]),
    "nats" => await NatsSinkThroughput.RunAsync(args[1..]),
    "postgres" => await PostgresSinkThroughput.RunAsync(args[1..]),
    "consume" => await ConsumeThroughput.RunAsync(args[1..]),
    "lease" => await LeaseTakeover.RunAsync(args[1..]),
    "media" => await MediaDownloadThroughput.RunAsync(args[1..]),
    "metrics-micro" => Run(() => BenchmarkRunner.Run<MetricsBenchmarks>(args: args[1..])),
    _ => Usage(),
};

static int Run(Action benchmark)
{
    benchmark();
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: Tgwatch.Bench gate [BenchmarkDotNet options] | quiet [--lines N] | sqlite [--messages N] | store | pipeline [--messages N] [--memory-messages N] [--parts 123] | " + ExportThroughput.Usage + " | recovery [--rounds N] | tdlib [--calls N] [--updates N] | handler [--messages N] | metrics [--messages N] [--store-messages N] [--rounds N] [--scrape-ms N] | metrics-micro [BenchmarkDotNet options] | " + PeersOptions.Usage +
        " | nats [--messages N] [--rounds N] | postgres [--messages N] [--rounds N] | consume [--messages N] [--rounds N] | lease [--kills N] | " + MediaFilePlan.Usage);
    return 2;
}
