using System.Text;
using Microsoft.Extensions.Logging;
using NATS.Client.JetStream.Models;
using Tgwatch.Messages;
using Tgwatch.Nats.Sink;
using Tgwatch.TestKit;

namespace Tgwatch.Nats.Tests;

public sealed class NatsSinkTests : IAsyncLifetime
{
    private NatsServer _server = null!;
    private readonly CollectingLoggerProvider _logs = new();

    public async Task InitializeAsync() => _server = await NatsServer.StartNewAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private NatsSink Sink(string? query = null, TimeSpan? requestTimeout = null)
    {
        Assert.True(NatsServerAddress.TryParse(_server.Url + query, out var address, out var error, NatsSinkOptions.AddressOptions), error);
        Assert.True(NatsSinkOptions.FromAddress(address!, out var options, out error), error);
        options = options with { RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(2), MinBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(400) };
        return new NatsSink(options, new LoggerFactory([_logs]).CreateLogger<NatsSink>());
    }

    private IReadOnlyList<CollectingLoggerProvider.Entry> SinkLines => [.. _logs.Entries.Where(e => e.Level >= LogLevel.Information)];

    [Fact]
    public async Task FirstWrite_CreatesTheStream_WithItsSubjectsFileStorageAndDuplicateWindow()
    {
        await using var sink = Sink();
        await sink.WriteAsync([SomeMessage.New(1)], CancellationToken.None);

        await using var streams = new Streams(_server);
        var info = (await streams.Js.GetStreamAsync("TGWATCH")).Info;
        Assert.Equal(["tgwatch.>"], info.Config.Subjects);
        Assert.Equal(StreamConfigStorage.File, info.Config.Storage);
        Assert.Equal(TimeSpan.FromMinutes(10), info.Config.DuplicateWindow);
        Assert.Contains(SinkLines, e => e.EventId.Id == 3801 && e.Message.Contains("created stream TGWATCH", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EachRecord_IsOneMessage_OnItsAccountAndChat_WithTheContractRecordAndItsKeyAsMsgId()
    {
        await using var sink = Sink();
        TgMessage[] batch = [SomeMessage.New(1), SomeMessage.New(2, chatId: -1009), SomeMessage.Edit(1), SomeMessage.New(3, account: "bot7")];
        await sink.WriteAsync(batch, CancellationToken.None);

        await using var streams = new Streams(_server);
        var all = await streams.AllAsync();
        Assert.Equal(batch.Length, all.Count);
        for (var i = 0; i < batch.Length; i++)
        {
            Assert.Equal($"tgwatch.{batch[i].Account}.{batch[i].Chat.Id}", all[i].Subject);
            Assert.Equal(batch[i].Key, all[i].Headers!["Nats-Msg-Id"].ToString());
            Assert.Equal(TgMessageJson.ToJson(batch[i]), Encoding.UTF8.GetString(all[i].Data!));
        }
        Assert.Equal(batch.Length, sink.Published);
    }

    [Fact]
    public async Task TheSameRecordsWrittenAgain_AreDroppedByTheStream_AndCountAsWritten()
    {
        await using var sink = Sink();
        var batch = SomeMessage.Batch(1, 20);
        await sink.WriteAsync(batch, CancellationToken.None);
        await sink.WriteAsync(batch[5..15], CancellationToken.None);
        await using (var again = Sink()) await again.WriteAsync(batch, CancellationToken.None);

        await using var streams = new Streams(_server);
        Assert.Equal(20, (await streams.AllAsync()).Count);
        Assert.Equal(10, sink.Duplicates);
    }

    [Fact]
    public async Task QueryOptions_NameTheStreamTheSubjectsAndTheDuplicateWindow()
    {
        await using var sink = Sink("?stream=OTHER&subject=tg.watch&duplicate_window=90s");
        await sink.WriteAsync([SomeMessage.New(1)], CancellationToken.None);

        await using var streams = new Streams(_server);
        var info = (await streams.Js.GetStreamAsync("OTHER")).Info;
        Assert.Equal(["tg.watch.>"], info.Config.Subjects);
        Assert.Equal(TimeSpan.FromSeconds(90), info.Config.DuplicateWindow);
        Assert.Equal("tg.watch.bot42.-1001234567890", (await streams.AllAsync("OTHER")).Single().Subject);
    }

    [Fact]
    public async Task AServerDown_HoldsTheWriteUntilItIsBackAndAcknowledged_WithOneLineDownAndOneUp()
    {
        await using var sink = Sink();
        await sink.WriteAsync([SomeMessage.New(1)], CancellationToken.None);
        await _server.KillAsync();

        var write = sink.WriteAsync(SomeMessage.Batch(2, 50), CancellationToken.None).AsTask();
        await Eventually.TrueAsync(() => sink.Failing, "the sink says publishing fails");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(write.IsCompleted, "a write returned (was committed) while the server was down");

        await _server.StartAsync();
        await write.WaitAsync(TimeSpan.FromSeconds(30));

        await using var streams = new Streams(_server);
        Assert.Equal(51, (await streams.AllAsync()).Count);
        var lines = SinkLines.Where(e => e.EventId.Id is 3802 or 3803).ToList();
        Assert.Collection(lines,
            down => Assert.Contains($"publishing to {_server.Url} failed", down.Message, StringComparison.Ordinal),
            up => Assert.Contains($"publishing to {_server.Url} again after", up.Message, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, lines[0].Level);
    }

    [Fact]
    public async Task AServerKilledAndRestartedMidBatch_LosesNothing_AndStoresEachRecordOnce()
    {
        await using var sink = Sink();
        // Batches of 100 are written one after another until the server was killed, started again and more were acknowledged
        // after that: the kill lands while records are being published, however fast the machine publishes them.
        var written = new List<TgMessage>();
        using var enough = new CancellationTokenSource();
        var writes = Task.Run(async () =>
        {
            for (var next = 1; !enough.IsCancellationRequested; next += 100)
            {
                var batch = SomeMessage.Batch(next, 100);
                await sink.WriteAsync(batch, CancellationToken.None);
                lock (written) written.AddRange(batch);
            }
        });
        await Eventually.TrueAsync(() => sink.Published > 1000, "some batches are acknowledged", running: writes);
        await _server.KillAsync();
        await Eventually.TrueAsync(() => sink.Failing, "the sink says publishing fails", running: writes);
        await _server.StartAsync();
        var atRestart = sink.Published;
        await Eventually.TrueAsync(() => sink.Published > atRestart + 1000, "more batches acknowledged after the restart", running: writes);
        await enough.CancelAsync();
        await writes.WaitAsync(TimeSpan.FromSeconds(60));

        await using var streams = new Streams(_server);
        var all = await streams.AllAsync();
        var ids = all.Select(m => m.Headers!["Nats-Msg-Id"].ToString()).ToList();
        Assert.Equal(written.Select(r => r.Key).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
        Assert.Single(SinkLines, e => e.EventId.Id == 3802);
        Assert.Single(SinkLines, e => e.EventId.Id == 3803);
    }

    [Fact]
    public async Task AServerDownAtTheStart_IsWaitedForByTheFirstWrite()
    {
        await _server.KillAsync();
        await using var sink = Sink();
        await sink.StartAsync(CancellationToken.None);
        var write = sink.WriteAsync([SomeMessage.New(1)], CancellationToken.None).AsTask();
        await Eventually.TrueAsync(() => sink.Failing, "the sink says publishing fails");
        Assert.False(write.IsCompleted);
        var down = Assert.Single(SinkLines, e => e.EventId.Id == 3802);
        Assert.Equal(LogLevel.Warning, down.Level);
        Assert.Contains("Network", down.Message, StringComparison.Ordinal);
        await _server.StartAsync();
        await write.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, sink.Published);
    }

    [Fact]
    public async Task AStopWhileTheServerIsDown_EndsTheWriteWithoutCommittingIt()
    {
        await _server.KillAsync();
        await using var sink = Sink();
        using var stop = new CancellationTokenSource();
        var write = sink.WriteAsync([SomeMessage.New(1)], stop.Token).AsTask();
        await Eventually.TrueAsync(() => sink.Failing, "the sink says publishing fails");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task CredentialsOfTheAddress_ReachNoLine()
    {
        await _server.KillAsync();
        Assert.True(NatsServerAddress.TryParse($"nats://tg:pa55w0rd-xyz@127.0.0.1:{_server.Port}", out var address, out _));
        await using var sink = new NatsSink(new NatsSinkOptions { Address = address!, RequestTimeout = TimeSpan.FromMilliseconds(500), MinBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(100) },
            new LoggerFactory([_logs]).CreateLogger<NatsSink>());
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await sink.WriteAsync([SomeMessage.New(1)], stop.Token));
        Assert.NotEmpty(_logs.Entries);
        Assert.All(_logs.Entries, e => Assert.DoesNotContain("pa55w0rd", e.Message + e.Exception, StringComparison.Ordinal));
        Assert.DoesNotContain("pa55w0rd", sink.Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARecordTheServerRefuses_IsThrownToThePipeline_NotRetriedHere()
    {
        await using var sink = Sink();
        await sink.WriteAsync([SomeMessage.New(1)], CancellationToken.None);
        var huge = SomeMessage.New(2, text: new string('x', 2_000_000)); // past nats-server's 1 MB max_payload
        var thrown = await Assert.ThrowsAnyAsync<Exception>(async () => await sink.WriteAsync([huge], CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.IsNotType<TimeoutException>(thrown);
        Assert.False(sink.Failing);
    }

    [Fact]
    public async Task APipelineOverTheSink_CommitsNothing_UntilTheServerAcknowledged()
    {
        await _server.KillAsync();
        await using var sink = Sink();
        var store = new InMemoryStateStore();
        var connector = ScriptedConnector.Of(SomeMessage.Batch(1, 10));
        var pipeline = new Pipeline.MessagePipeline(connector, [sink], store);
        using var stop = new CancellationTokenSource();
        var running = pipeline.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => sink.Failing, "the sink says publishing fails", running: running);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(await store.LoadCheckpointsAsync(connector.Account, connector.Name, CancellationToken.None));
        Assert.Equal(0, store.Commits);

        await _server.StartAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(10, (await store.LoadCheckpointsAsync(connector.Account, connector.Name, CancellationToken.None)).Single().Value);
        await using var streams = new Streams(_server);
        Assert.Equal(10, (await streams.AllAsync()).Count);
    }

    [Fact]
    public async Task Retries_WaitTheBackoff_OnTheSinksClock()
    {
        await _server.KillAsync();
        // The waits between attempts are the only timers on the sink's clock; each is seen once it is on the clock, so a step
        // of the clock is never lost to a wait that starts after it (the sink says an attempt failed before it starts the wait).
        var clock = new SteppedClock(SomeMessage.Date);
        Assert.True(NatsServerAddress.TryParse(_server.Url, out var address, out _));
        await using var sink = new NatsSink(new NatsSinkOptions { Address = address!, RequestTimeout = TimeSpan.FromSeconds(1), MinBackoff = TimeSpan.FromSeconds(4), MaxBackoff = TimeSpan.FromSeconds(60) },
            new LoggerFactory([_logs]).CreateLogger<NatsSink>(), clock, randomizer: () => 0);
        var attempts = () => _logs.Entries.Count(e => e.EventId.Id == 3804);
        using var stop = new CancellationTokenSource();
        var write = sink.WriteAsync([SomeMessage.New(1)], stop.Token).AsTask();
        // The first wait is half the first step (the randomizer at 0): 2 s on the sink's clock, however long real time goes.
        Assert.Equal(TimeSpan.FromSeconds(2), await clock.NextWaitAsync(Eventually.DefaultTimeout));
        Assert.Equal(1, attempts());
        clock.Advance(TimeSpan.FromSeconds(1.9));
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // a real wait: for an attempt that must not come before the 2 s are up
        Assert.Equal(1, attempts());
        clock.Advance(TimeSpan.FromSeconds(0.1));
        // Then half of the doubled step: 4 s.
        Assert.Equal(TimeSpan.FromSeconds(4), await clock.NextWaitAsync(Eventually.DefaultTimeout));
        Assert.Equal(2, attempts());
        clock.Advance(TimeSpan.FromSeconds(3.9));
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // a real wait: for an attempt that must not come before the 4 s are up
        Assert.Equal(2, attempts());
        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(TimeSpan.FromSeconds(8), await clock.NextWaitAsync(Eventually.DefaultTimeout));
        Assert.Equal(3, attempts());
        Assert.Single(SinkLines, e => e.EventId.Id == 3802);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
    }
}
