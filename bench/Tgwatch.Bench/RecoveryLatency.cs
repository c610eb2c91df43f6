using System.Diagnostics;
using System.Globalization;
using System.Net;
using Tgwatch.BotApi;
using Tgwatch.Chaos;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Resilience;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Storage;

namespace Tgwatch.Bench;

/// <summary>
/// Recovery latency: the time from the link coming back (the fault proxy passes again) to the first message
/// delivered to a sink, for outages of several lengths, beside the backoff step in effect at that moment.
/// Bot API connector → pipeline → a sink that stamps the time, through the sandbox and the fault proxy.
/// </summary>
internal static class RecoveryLatency
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args.Length == 2 && args[0] == "--rounds" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
        await using var sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);
        await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, sandbox.BaseUrl.Port));
        var options = new BotApiOptions
        {
            Token = sandbox.Token,
            ApiUrl = new Uri($"http://127.0.0.1:{proxy.Port}/"),
            PollTimeout = TimeSpan.FromSeconds(2),
            HttpMargin = TimeSpan.FromSeconds(2),
        };
        await using var connector = new BotApiConnector(options);
        var sink = new StampingSink();
        await using var store = new NullStateStore();
        var pipeline = new MessagePipeline(connector, [sink], store, new PipelineOptions());
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        await sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -1, Text = "warm-up" });
        await sink.NextAsync(TimeSpan.FromSeconds(30));

        Console.WriteLine($"recovery latency: link back -> first message delivered, {rounds} rounds per outage (backoff {options.MinBackoff.TotalMilliseconds:F0} ms doubling to {options.MaxBackoff.TotalSeconds:F0} s, jittered in the upper half)");
        Console.WriteLine("outage   backoff step in effect   latency median   latency max   latency minus step (max, < 0 = inside the step)   goal <= 1 s + step");
        var allMet = true;
        foreach (var outage in new[] { 1, 3, 10, 30 })
        {
            var latencies = new List<double>();
            double step = 0, worstOver = double.MinValue;
            for (var r = 0; r < rounds; r++)
            {
                proxy.SetFault(ProxyFault.RefuseAndReset);
                await Task.Delay(TimeSpan.FromSeconds(outage));
                await sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -1, Text = $"after {outage}s" });
                var back = Stopwatch.GetTimestamp();
                proxy.SetFault(ProxyFault.Pass);
                var delivered = await sink.NextAsync(TimeSpan.FromSeconds(120));
                var latency = Stopwatch.GetElapsedTime(back, delivered).TotalSeconds;
                // The backoff step in effect: the ceiling of the wait after as many failures as the outage allowed.
                step = StepAfter(options, TimeSpan.FromSeconds(outage)).TotalSeconds;
                latencies.Add(latency);
                worstOver = Math.Max(worstOver, latency - step);
            }
            latencies.Sort();
            var met = worstOver <= 1.0;
            allMet &= met;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{outage,4} s   {step,12:F2} s            {latencies[latencies.Count / 2],8:F2} s     {latencies[^1],8:F2} s     {worstOver,10:F2} s               {(met ? "met" : "MISSED")}"));
        }
        await stop.CancelAsync();
        await run;
        Console.WriteLine(allMet ? "summary: recovery within 1 s plus the backoff step in effect: met" : "summary: recovery goal MISSED for some outage");
        return 0;
    }

    /// <summary>The largest wait the connector may be in when an outage of this length ends: the doubling ceiling reached by then.</summary>
    private static TimeSpan StepAfter(BotApiOptions o, TimeSpan outage)
    {
        var attempt = 0;
        var ceiling = Backoff.Step(attempt, o.MinBackoff, o.MaxBackoff);
        var elapsed = TimeSpan.Zero;
        while (elapsed < outage && ceiling < o.MaxBackoff)
        {
            elapsed += ceiling;
            ceiling = Backoff.Step(++attempt, o.MinBackoff, o.MaxBackoff);
        }
        return ceiling;
    }

    private sealed class StampingSink : IMessageSink
    {
        private readonly System.Threading.Channels.Channel<long> _stamps = System.Threading.Channels.Channel.CreateUnbounded<long>();

        public string Name => "stamp";

        public ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
        {
            _stamps.Writer.TryWrite(Stopwatch.GetTimestamp());
            return ValueTask.CompletedTask;
        }

        public async Task<long> NextAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            return await _stamps.Reader.ReadAsync(cts.Token);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
