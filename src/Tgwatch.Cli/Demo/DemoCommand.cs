using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using Tgwatch.BotApi;
using Tgwatch.Chaos;
using Tgwatch.Cli.Hosting;
using Tgwatch.Messages;
using Tgwatch.Noise;
using Tgwatch.Pipeline;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Sandbox.Faults;
using Tgwatch.Sinks.Console;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.Sqlite;

namespace Tgwatch.Cli.Demo;

/// <summary>
/// <c>tgwatch demo</c>: the main job without Telegram credentials. A Bot API sandbox and a fault-injecting proxy
/// run in this process; the monitor receives a stream of messages through the proxy while connections are reset,
/// refused and stalled and the server answers 429 and 502; at the end the figures say what was sent and received.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var seconds = Commands.NumberOption.Create("--seconds", "How long messages keep coming (default 20)", 5, 3600, 20);
        var rate = Commands.NumberOption.Create("--rate", "Messages per second (default 8)", 1, 1000, 8);
        var command = new Command("demo", "Watch a bot through a bad network for a while: a local Bot API sandbox, a proxy that cuts connections, the monitor, and the figures at the end")
        {
            seconds, rate,
        };
        command.SetAction((parse, ct) => RunAsync((int)parse.GetValue(seconds), (int)parse.GetValue(rate), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct));
        return command;
    }

    private static async Task<int> RunAsync(int seconds, int rate, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var dir = Directory.CreateTempSubdirectory("tgwatch-demo-").FullName;
        using var logging = new CliLogging(stderr, LogLevel.Information, json: false, TimeProvider.System);
        var log = logging.Factory.CreateLogger("Tgwatch.Demo");
        await using var sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), ct).ConfigureAwait(false);
        await using var proxy = FaultProxy.Start(new IPEndPoint(IPAddress.Loopback, sandbox.BaseUrl.Port));
        var through = new Uri($"http://127.0.0.1:{proxy.Port}/");
        await stderr.WriteLineAsync($"[tgwatch] demo: Bot API sandbox at {sandbox.BaseUrl}, reached through a fault proxy at {through}; state in {dir}").ConfigureAwait(false);

        var jsonlPath = Path.Combine(dir, "messages.jsonl");
        await using var store = await SqliteStateStore.OpenAsync(Path.Combine(dir, "tgwatch.db"), TimeProvider.System, ct).ConfigureAwait(false);
        await using var jsonl = new JsonlSink(new JsonlSinkOptions { Path = jsonlPath }, store.SinkLedger, logging.Factory.CreateLogger<JsonlSink>());
        await using var console = new ConsoleSink(new ConsoleSinkOptions(), stdout, !Console.IsOutputRedirected);
        await using var connector = new BotApiConnector(new BotApiOptions
        {
            Token = sandbox.Token,
            ApiUrl = through,
            PollTimeout = TimeSpan.FromSeconds(2),
            HttpMargin = TimeSpan.FromSeconds(2),
            MinBackoff = TimeSpan.FromMilliseconds(200),
            MaxBackoff = TimeSpan.FromSeconds(2),
            Grace = TimeSpan.FromSeconds(2),
        }, logging.Factory.CreateLogger("Tgwatch.BotApi"));
        var pipeline = new MessagePipeline(connector, [console, jsonl], store, new PipelineOptions { DrainTimeout = TimeSpan.FromSeconds(5) }, [], [], logging.Factory.CreateLogger("Tgwatch.Pipeline"));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var run = pipeline.RunAsync(stop.Token);
        var clock = Stopwatch.StartNew();
        var faults = new List<string>();
        var producer = ProduceAsync(sandbox.Admin, seconds, rate, stop.Token);
        var chaos = ChaosAsync(proxy, sandbox.Admin, seconds, faults, log, stop.Token);
        int sent;
        TimeSpan sending;
        try
        {
            sent = await producer.ConfigureAwait(false);
            sending = clock.Elapsed;
            await chaos.ConfigureAwait(false);
            // Everything sent should arrive once the link is back: wait for it, within reason.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (CountLines(jsonlPath) < sent && DateTime.UtcNow < deadline && !ct.IsCancellationRequested)
                await Task.Delay(100, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            sending = clock.Elapsed;
            sent = (await sandbox.Admin.ListInjectedAsync(ct: CancellationToken.None).ConfigureAwait(false)).Count;
        }
        await stop.CancelAsync().ConfigureAwait(false);
        await run.ConfigureAwait(false);

        var keys = File.Exists(jsonlPath) ? File.ReadAllLines(jsonlPath).Select(l => TgMessageJson.Parse(l).Key).ToList() : [];
        var received = keys.Distinct().Count();
        var duplicates = keys.Count - received;
        var counters = proxy.Stats;
        var stats = await sandbox.Admin.GetStatsAsync(CancellationToken.None).ConfigureAwait(false);
        // How long messages kept coming (what --seconds asks for), and how long it took in all, catching up included.
        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"[tgwatch] demo: messages for {Duration.Format(sending)} (asked {seconds}s), {Duration.Format(clock.Elapsed)} in all; faults: {string.Join(", ", faults)}; {counters.ConnectionsReset} connections reset, {stats.FaultsInjected} server faults")).ConfigureAwait(false);
        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"[tgwatch] demo: sent {sent}, received {received}, duplicates {duplicates}, lost {sent - received}")).ConfigureAwait(false);
        return sent == received && duplicates == 0 ? ExitCodes.Ok : ExitCodes.Unexpected;
    }

    private static int CountLines(string path) => File.Exists(path) ? File.ReadAllLines(path).Length : 0;

    /// <summary>Users writing in three chats (some replies, a channel post now and then) at a steady rate.</summary>
    private static async Task<int> ProduceAsync(SandboxAdmin admin, int seconds, int rate, CancellationToken ct)
    {
        var people = new[] { (1001L, "Ada"), (1002L, "Bob"), (1003L, "Chen") };
        var chats = new[] { (-1001000000001L, "Traders"), (-1001000000002L, "Weather"), (-1001000000003L, "Family") };
        var lines = new[] { "anyone seen the numbers today?", "socket.send() raised exception. lol", "Connection lost again on my side", "good morning", "ok", "see you at 6", "price is up 3%" };
        var random = new Random(20261125);
        var count = seconds * rate;
        var lastId = new Dictionary<long, int>();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var (chatId, title) = chats[random.Next(chats.Length)];
            var (userId, name) = people[random.Next(people.Length)];
            var replyTo = lastId.TryGetValue(chatId, out var last) && random.Next(5) == 0 ? last : (int?)null;
            var injected = i % 25 == 24
                ? await admin.SendChannelPostAsync(new InjectMessage { ChatId = -1002000000001, Chat = new SandboxChat { Type = "channel", Title = "News", Username = "news" }, Text = $"bulletin #{i / 25}" }, ct).ConfigureAwait(false)
                : await admin.SendMessageAsync(new InjectMessage
                {
                    ChatId = chatId,
                    Chat = new SandboxChat { Type = "supergroup", Title = title },
                    From = new SandboxUser { Id = userId, FirstName = name },
                    Text = lines[random.Next(lines.Length)],
                    ReplyToMessageId = replyTo,
                }, ct).ConfigureAwait(false);
            if (injected.MessageId is { } id) lastId[chatId] = id;
            // Paced by the clock, not by a pause after each send: the messages take the time asked, however long a send takes.
            var next = TimeSpan.FromSeconds((i + 1.0) / rate) - Stopwatch.GetElapsedTime(start);
            if (next > TimeSpan.Zero) await Task.Delay(next, ct).ConfigureAwait(false);
        }
        return count;
    }

    /// <summary>The bad network: resets, a refused period, a stall, a rate limit, gateway errors.</summary>
    private static async Task ChaosAsync(FaultProxy proxy, SandboxAdmin admin, int seconds, List<string> faults, ILogger log, CancellationToken ct)
    {
        var scale = seconds / 20.0;
        var start = Stopwatch.StartNew();
        async Task Until(double second)
        {
            var rest = TimeSpan.FromSeconds(second * scale) - start.Elapsed;
            if (rest > TimeSpan.Zero) await Task.Delay(rest, ct).ConfigureAwait(false);
        }

        // The steps of the 20-second demo, scaled to the length asked; each names how long it lasts in this one.
        string For(double length) => Duration.Format(TimeSpan.FromSeconds(length * scale));

        await Until(3);
        Step($"connections reset ({For(1)})", faults, log); proxy.SetFault(ProxyFault.Reset);
        await Until(4); proxy.SetFault(ProxyFault.Pass);
        await Until(6);
        Step($"connections refused ({For(5)})", faults, log); proxy.SetFault(ProxyFault.RefuseAndReset);
        await Until(11); proxy.SetFault(ProxyFault.Pass);
        await Until(12);
        Step("429 Too Many Requests, retry after 2s", faults, log);
        await admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.RateLimit, Count = 1, RetryAfter = 2, Method = "getUpdates" }, ct).ConfigureAwait(false);
        await Until(14);
        Step("3× 502 Bad Gateway", faults, log);
        await admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.BadGateway, Count = 3, Method = "getUpdates" }, ct).ConfigureAwait(false);
        await Until(16);
        Step($"link stalled ({For(3)})", faults, log); proxy.SetFault(ProxyFault.Stall);
        await Until(19); proxy.SetFault(ProxyFault.Pass);
    }

    private static void Step(string what, List<string> faults, ILogger log)
    {
        faults.Add(what);
        log.LogInformation("demo: {What}", what);
    }
}
