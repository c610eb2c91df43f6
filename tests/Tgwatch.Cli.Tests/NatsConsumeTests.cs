using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Tgwatch.Messages;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// <c>tgwatch run --sink nats:…</c> publishing what the Bot API sandbox delivers to a real nats-server, and <c>tgwatch consume</c>
/// writing it from a durable consumer to JSONL, as real processes; nats-server and the consumer are killed with SIGKILL on the way.
/// </summary>
public sealed class NatsConsumeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Some.TempDirectory("tgwatch-nats");
    private BotApiSandbox _sandbox = null!;
    private NatsServer _nats = null!;
    private int _sent;

    public async Task InitializeAsync()
    {
        _nats = await NatsServer.StartNewAsync();
        _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        await _nats.DisposeAsync();
    }

    private Program Runner() => Program.Start(output, "run",
        ["run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(), "--state", Path.Combine(_dir, "runner.db"), "--sink", $"nats:{_nats.Url}"]);

    private Program Consumer(string name, string jsonl, params string[] more) => Program.Start(output, name,
        ["consume", "--nats", _nats.Url, "--durable", "archive", "--state", Path.Combine(_dir, name + ".db"), "--sink", $"jsonl:{jsonl}", .. more]);

    private async Task SendAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var n = Interlocked.Increment(ref _sent);
            await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100900 - n % 3, Text = $"message {n}", From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        }
    }

    private static List<string> Texts(params string[] files) =>
        [.. files.Where(File.Exists).SelectMany(File.ReadAllLines).Where(l => l.Length > 0).Select(l => TgMessageJson.Parse(l).Text!)];

    private List<string> Expected => [.. Enumerable.Range(1, _sent).Select(n => $"message {n}")];

    [Fact]
    public async Task ConsumeWaitsForTheStream_ThenWritesEveryMessageExactlyOnce_ThroughAKilledAndRestartedNatsServer()
    {
        var jsonl = Path.Combine(_dir, "out.jsonl");
        await using var consumer = Consumer("consumer", jsonl);
        // No runner has published: the stream does not exist, and consume waits for it with one line.
        await consumer.WaitForLineAsync("stream TGWATCH does not exist yet");

        await using var runner = Runner();
        await SendAsync(20);
        await Eventually.TrueAsync(() => Texts(jsonl).Count == 20, "the first 20 in the JSONL", Tgwatch.Patience);

        await _nats.KillAsync();
        await SendAsync(20);
        await runner.WaitForLineAsync($"publishing to {_nats.Url} failed");
        await _nats.StartAsync();
        await SendAsync(20);

        await Eventually.TrueAsync(() => Texts(jsonl).Count >= 60, "all 60 in the JSONL", Tgwatch.Patience);
        await Task.Delay(TimeSpan.FromSeconds(2)); // a duplicate would come now
        Assert.Equal(Expected.Order(StringComparer.Ordinal), Texts(jsonl).Order(StringComparer.Ordinal));

        var runnerLog = await runner.StopAsync();
        var consumerLog = await consumer.StopAsync();
        Assert.Single(runnerLog.Split('\n'), l => l.Contains($"publishing to {_nats.Url} failed", StringComparison.Ordinal));
        Assert.Single(runnerLog.Split('\n'), l => l.Contains($"publishing to {_nats.Url} again after", StringComparison.Ordinal));
        Assert.Single(consumerLog.Split('\n'), l => l.Contains("does not exist yet", StringComparison.Ordinal));
        Assert.DoesNotContain("Connector commit of", consumerLog, StringComparison.Ordinal); // acknowledgements that wait for the server are no failure of the run
        Assert.Contains("created the durable consumer", consumerLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConsumerKilledMidWay_AndStartedAgain_LeavesEveryMessageExactlyOnceInItsJsonl()
    {
        var jsonl = Path.Combine(_dir, "out.jsonl");
        await using var runner = Runner();
        var first = Consumer("consumer", jsonl, "--ack-wait", "2s");
        await SendAsync(30);
        await Eventually.TrueAsync(() => Texts(jsonl).Count >= 10, "some in the JSONL", Tgwatch.Patience);
        await first.KillAsync();
        await first.DisposeAsync();
        await SendAsync(30);

        await using var again = Consumer("consumer", jsonl, "--ack-wait", "2s");
        await Eventually.TrueAsync(() => Texts(jsonl).Count >= 60, "all 60 in the JSONL", Tgwatch.Patience);
        await Task.Delay(TimeSpan.FromSeconds(4)); // past the ack wait: a redelivery would be written now
        Assert.Equal(Expected.Order(StringComparer.Ordinal), Texts(jsonl).Order(StringComparer.Ordinal));
        await again.StopAsync();
        await runner.StopAsync();
    }

    [Fact]
    public async Task TwoConsumersOnOneDurable_ShareTheMessages_EachWrittenOnceOverBoth()
    {
        var a = Path.Combine(_dir, "a.jsonl");
        var b = Path.Combine(_dir, "b.jsonl");
        await using var runner = Runner();
        await SendAsync(1);
        await runner.WaitForLineAsync("created stream TGWATCH");
        await using var first = Consumer("first", a);
        await using var second = Consumer("second", b);
        // Both pull before the messages come: the server serves their pulls in turn.
        await using (var client = new NATS.Client.Core.NatsConnection(new NATS.Client.Core.NatsOpts { Url = _nats.Url }))
        {
            var js = new NATS.Client.JetStream.NatsJSContext(client);
            await Eventually.TrueAsync(async () => (await js.GetConsumerAsync("TGWATCH", "archive")).Info.NumWaiting >= 2, "both consumers pulling", Tgwatch.Patience);
        }
        await SendAsync(199);

        await Eventually.TrueAsync(() => Texts(a, b).Count >= 200, "all 200 over both", Tgwatch.Patience);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(Expected.Order(StringComparer.Ordinal), Texts(a, b).Order(StringComparer.Ordinal));
        Assert.True(Texts(a).Count > 0 && Texts(b).Count > 0, $"one consumer took them all: {Texts(a).Count} and {Texts(b).Count}");
        await first.StopAsync();
        await second.StopAsync();
        await runner.StopAsync();
    }

    [Fact]
    public async Task ConsumeFiltersAsRunDoes_AChatFilterKeepsOnlyItsChat_AndTheRestIsAcknowledged()
    {
        var jsonl = Path.Combine(_dir, "one-chat.jsonl");
        await using var runner = Runner();
        await SendAsync(30); // chats -100900, -100901, -100902 in turn
        await runner.WaitForLineAsync("created stream TGWATCH");
        await using var consumer = Consumer("consumer", jsonl, "--chat", "-100901");
        await Eventually.TrueAsync(() => Texts(jsonl).Count == 10, "the 10 of chat -100901", Tgwatch.Patience);
        await using (var client = new NATS.Client.Core.NatsConnection(new NATS.Client.Core.NatsOpts { Url = _nats.Url }))
        {
            var js = new NATS.Client.JetStream.NatsJSContext(client);
            await Eventually.TrueAsync(async () => (await js.GetConsumerAsync("TGWATCH", "archive")).Info is { NumAckPending: 0, NumPending: 0 }, "all 30 acknowledged", Tgwatch.Patience);
        }
        Assert.All(File.ReadAllLines(jsonl), l => Assert.Equal(-100901, TgMessageJson.Parse(l).Chat.Id));
        var log = await consumer.StopAsync();
        Assert.Contains("Stopped: 30 received, 10 written", log, StringComparison.Ordinal);
        await runner.StopAsync();
    }

    [Theory]
    [InlineData(new[] { "consume", "--durable", "d" }, "no nats-server: give --nats")]
    [InlineData(new[] { "consume", "--nats", "nats://127.0.0.1:1" }, "no durable consumer: give --durable NAME")]
    [InlineData(new[] { "consume", "--nats", "nats://127.0.0.1:1", "--durable", "a.b" }, "'a.b' is not a consumer name")]
    [InlineData(new[] { "consume", "--nats", "http://127.0.0.1:1", "--durable", "d" }, "expected a nats-server address")]
    [InlineData(new[] { "run", "--bot-token", "1:x", "--sink", "nats:nats://h:1?stream=a.b" }, "--sink nats: stream 'a.b' is not a stream name")]
    public async Task WrongSettings_AreOneLineEach_AndExit2(string[] args, string expected)
    {
        var result = await Tgwatch.RunAsync(null, args);
        output.WriteLine(result.Stderr);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CredentialsInTheNatsAddresses_ReachNoLine()
    {
        await _nats.KillAsync(); // nothing answers: the lines say so
        var url = $"nats://tguser:hunter2-secret-pw@127.0.0.1:{_nats.Port}";
        await using var consumer = Program.Start(output, "consumer", ["consume", "--nats", url, "--durable", "d", "--state", Path.Combine(_dir, "c.db"), "--sink", $"nats:{url}?stream=COPY"]);
        await consumer.WaitForLineAsync("cannot be reached");
        var log = await consumer.StopAsync();
        Assert.DoesNotContain("hunter2", log, StringComparison.Ordinal);
        Assert.DoesNotContain("tguser", log, StringComparison.Ordinal);
    }

    /// <summary>A tgwatch process whose log is read as it comes.</summary>
    private sealed class Program : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly Task _reading;
        private readonly ITestOutputHelper _output;
        private readonly string _name;

        private Program(Process process, ITestOutputHelper output, string name)
        {
            _process = process;
            _output = output;
            _name = name;
            _process.StandardInput.Close();
            _reading = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync() is { } line) _lines.Enqueue(line);
            });
        }

        public static Program Start(ITestOutputHelper output, string name, string[] args) => new(Tgwatch.Start(args), output, name);

        public string Log => string.Concat(_lines.Select(l => l + "\n"));

        public Task WaitForLineAsync(string part, TimeSpan? timeout = null) =>
            Eventually.TrueAsync(() => _lines.Any(l => l.Contains(part, StringComparison.Ordinal)), $"{_name} says '{part}'", timeout ?? Tgwatch.Patience, _reading);

        public async Task KillAsync()
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        public async Task<string> StopAsync()
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            await _process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
            await _reading.WaitAsync(Tgwatch.Patience);
            _output.WriteLine($"--- {_name} ---\n{Log}");
            Assert.Equal(0, _process.ExitCode);
            return Log;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill();
            await _process.WaitForExitAsync();
            if (_lines.Count > 0) _output.WriteLine($"--- {_name} (at the end) ---\n{Log}");
            _process.Dispose();
        }
    }
}
