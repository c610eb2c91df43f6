using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Cli.Handlers;
using Tgwatch.Messages;
using Tgwatch.Noise;

namespace Tgwatch.Bench;

/// <summary>
/// The cost of the exec handlers' protocol: messages per second through <c>examples/handlers/handler.py</c> (it answers at
/// once) as an <see cref="ExecHandler"/> with <c>MaxInFlight</c> 1 and 32, against the same Python program reading the same
/// JSON lines from a file (its own speed, the ceiling), in one run; medians of 3.
/// </summary>
internal static class HandlerThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var count = args.Length == 2 && args[0] == "--messages" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20_000;
        var script = Path.Combine(QuietThroughput.FindRoot(), "examples", "handlers", "handler.py");
        var messages = Enumerable.Range(1, count).Select(i => new TgMessage
        {
            Account = "bot42", Connector = "botapi", Chat = new ChatInfo(-1001234567890 - i % 4, "supergroup", $"Chat {i % 4}"), MessageId = i,
            Date = new DateTimeOffset(2026, 12, 5, 12, 0, 0, TimeSpan.Zero).AddSeconds(i), Sender = new SenderInfo(1000 + i % 50, "Ada"),
            Text = $"message {i}: the quick brown fox jumps over the lazy dog",
        }).ToList();
        var file = Path.Combine(Path.GetTempPath(), $"tgwatch-bench-handler-{count}.jsonl");
        await using (var output = File.Create(file))
            foreach (var m in messages) await output.WriteAsync(ExecHandler.Line(m));
        Console.WriteLine($"{count:N0} messages through python3 {Path.GetFileName(script)} (answers at once); medians of 3");

        var fromFile = new List<TimeSpan>();
        var one = new List<TimeSpan>();
        var many = new List<TimeSpan>();
        for (var round = 0; round < 3; round++)
        {
            fromFile.Add(Program(script, file));
            one.Add(await ThroughHandlerAsync(script, messages, maxInFlight: 1));
            many.Add(await ThroughHandlerAsync(script, messages, maxInFlight: 32));
        }
        var baseline = Median(fromFile);
        Console.WriteLine($"python3 handler.py < file (the program alone): {Rate(count, baseline),9:N0} msg/s");
        foreach (var (name, times) in new[] { ("exec handler, MaxInFlight 1", one), ("exec handler, MaxInFlight 32", many) })
        {
            var t = Median(times);
            Console.WriteLine($"{name,-28}: {Rate(count, t),9:N0} msg/s  {Rate(count, t) / Rate(count, baseline):P0} of the program alone");
        }
        return 0;
    }

    private static async Task<TimeSpan> ThroughHandlerAsync(string script, IReadOnlyList<TgMessage> messages, int maxInFlight)
    {
        var noise = new NoiseOptions();
        await using var handler = new ExecHandler(
            new ExecHandlerOptions { Command = $"python3 {script}", Arguments = ["/usr/bin/python3", script], MaxInFlight = maxInFlight },
            NullLogger.Instance, new NoiseGate(noise, TimeProvider.System, _ => { }), NoiseRules.Load(), noise, TimeProvider.System);
        await handler.StartAsync(CancellationToken.None);
        var clock = Stopwatch.StartNew();
        // As the pipeline calls it: each of its workers one message at a time; here as many workers as the handler takes.
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, maxInFlight).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < messages.Count; i = Interlocked.Increment(ref next))
                await handler.HandleAsync(messages[i], CancellationToken.None);
        })));
        return clock.Elapsed;
    }

    private static TimeSpan Program(string script, string input)
    {
        var info = new ProcessStartInfo("bash") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("exec /usr/bin/python3 \"$0\" < \"$1\" > \"$2\"");
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(input);
        info.ArgumentList.Add(Path.Combine(Path.GetTempPath(), "tgwatch-bench-handler.out"));
        info.Environment["PYTHONUNBUFFERED"] = "1"; // as the handler runs it: each answer written as it is made
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        process.WaitForExit();
        return clock.Elapsed;
    }

    private static double Rate(int count, TimeSpan time) => count / time.TotalSeconds;

    private static TimeSpan Median(List<TimeSpan> times) => times.Order().ElementAt(times.Count / 2);
}
