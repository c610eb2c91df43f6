using Tgwatch.Connectors;
using Tgwatch.Pipeline;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;

namespace Tgwatch.BotApi.Tests;

/// <summary>
/// The connector with a received journal, against the Bot API sandbox (which forgets what an offset confirms, as Telegram
/// does): each poll confirms the answer before it, kept on the disk, and a start delivers again what was kept and not
/// committed.
/// </summary>
public sealed class ReceivedJournalConnectorTests : IAsyncLifetime
{
    private const long Chat = -1001234567890;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private BotApiSandbox _sandbox = null!;
    private readonly CollectingLoggerProvider _logs = new();
    private readonly string _journal = Path.Combine(Some.TempDirectory("tgwatch-journal"), "tgwatch.db.received-bot1");

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private BotApiConnector Connector(int limit = 100, string? journal = null, DateTimeOffset? lastCommittedAt = null, bool journaled = true) => new(new BotApiOptions
    {
        Token = _sandbox.Token,
        ApiUrl = _sandbox.BaseUrl,
        PollTimeout = TimeSpan.FromSeconds(1),
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(400),
        EmptyPollFloor = TimeSpan.FromMilliseconds(300),
        Limit = limit,
        JournalPath = journaled ? journal ?? _journal : null,
        LastCommittedAt = lastCommittedAt,
    }, _logs.CreateLogger("Tgwatch.BotApi"));

    private async Task InjectAsync(int count, string text = "m")
    {
        for (var i = 0; i < count; i++)
            await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = Chat, Text = $"{text} {i}", From = new SandboxUser { Id = 1001, FirstName = "Ada" } });
    }

    /// <summary>Whether the journal holds no record (its file keeps its zeroed room).</summary>
    private bool JournalEmpty()
    {
        using var file = new FileStream(_journal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var magic = new byte[4];
        return file.Read(magic) < 4 || !magic.AsSpan().SequenceEqual("TGJ3"u8);
    }

    private async Task<int> PendingAsync() => (await _sandbox.Admin.GetStatsAsync()).Bots.Single().PendingUpdates;

    /// <summary>Reads deliveries, committing none, until <paramref name="until"/> holds; then the connector is dropped as a kill would.</summary>
    private static async Task<List<Delivery>> ReadWithoutCommitsAsync(BotApiConnector connector, IReadOnlyDictionary<string, long> committed, Func<List<Delivery>, Task<bool>> until)
    {
        var read = new List<Delivery>();
        using var stop = new CancellationTokenSource(Patience);
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var delivery in connector.ReadAsync(committed, stop.Token)) lock (read) read.Add(delivery);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        });
        await Eventually.TrueAsync(async () =>
        {
            List<Delivery> now;
            lock (read) now = [.. read];
            return await until(now);
        }, "the deliveries and the sandbox's queue as awaited", Patience, running: reading);
        await stop.CancelAsync();
        await reading;
        lock (read) return [.. read];
    }

    [Fact]
    public async Task WhatAPollConfirmed_BeforeItWasCommitted_IsDeliveredAgainFromTheJournal_AfterAStop()
    {
        await InjectAsync(25);
        List<Delivery> first;
        await using (var connector = Connector(limit: 10))
        {
            // Nothing is committed, yet the polls go on (a few answers may be in flight) and Telegram forgets what they confirm.
            first = await ReadWithoutCommitsAsync(connector, new Dictionary<string, long>(), async read => read.Count == 25 && await PendingAsync() == 0);
        }
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"m {i}"), first.Select(d => d.Message!.Text));

        // Telegram has none of them now; the journal has them all, with their positions.
        var committed = first[9].Position.Position;
        await using var again = Connector(limit: 10);
        var second = await ReadWithoutCommitsAsync(again, new Dictionary<string, long> { ["updates"] = committed }, read => Task.FromResult(read.Count >= 15));
        Assert.Equal(first.Skip(10).Select(d => (d.Position, d.Message!.Text)), second.Select(d => (d.Position, d.Message!.Text)));
        Assert.Contains(_logs.Entries.Select(e => e.Message), l => l.Contains("15 update(s) received before the last stop and not yet committed are delivered again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AStartLongAfterTheLastCommit_WithAnAnswerKeptAndNotYetConfirmed_DeliversItsUpdatesOnce()
    {
        // Telegram still holds five updates (the kill came between the journal's fsync and the poll that would have
        // confirmed them), the journal has the answer that brought them, and the last commit was eight days before.
        await InjectAsync(5);
        using var http = new HttpClient();
        var answer = await http.GetByteArrayAsync(new Uri(_sandbox.BaseUrl, $"./bot{_sandbox.Token}/getUpdates")); // no offset: confirms none
        using (var kept = ReceivedJournal.Open(_journal, out _, out _)) kept.Append(0, false, answer, DateTimeOffset.UtcNow);

        await using var connector = Connector(lastCommittedAt: DateTimeOffset.UtcNow - TimeSpan.FromDays(8));
        var read = await ReadWithoutCommitsAsync(connector, new Dictionary<string, long>(), async read => read.Count >= 5 && await PendingAsync() == 0);
        // The updates came with that answer, not eight days ago: the first poll confirms them with an offset, instead of
        // asking without one and taking them, sent again, for new updates of a new epoch.
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"m {i}"), read.Select(d => d.Message!.Text));
        Assert.DoesNotContain(_logs.Entries, e => e.Message.Contains("start again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Committed_TheJournalIsEmptied_OnceNoUpdateCame_AndAStartDeliversNothingAgain()
    {
        await InjectAsync(30);
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        await using (var connector = Connector(limit: 10))
        {
            using var stop = new CancellationTokenSource();
            var run = new MessagePipeline(connector, [sink], store, new PipelineOptions { DrainTimeout = TimeSpan.FromSeconds(2) }).RunAsync(stop.Token);
            await Eventually.TrueAsync(() => sink.Keys.Count == 30 && JournalEmpty(), "30 written and the journal emptied", Patience, running: run);
            await stop.CancelAsync();
            await run.WaitAsync(Patience);
        }
        Assert.Equal(0, await PendingAsync());

        await InjectAsync(1, "later");
        var second = new CollectingSink("second");
        await using var again = Connector(limit: 10);
        using var stop2 = new CancellationTokenSource();
        var run2 = new MessagePipeline(again, [second], store, new PipelineOptions { DrainTimeout = TimeSpan.FromSeconds(2) }).RunAsync(stop2.Token);
        await Eventually.TrueAsync(() => second.Keys.Count == 1, "the later message", Patience, running: run2);
        await stop2.CancelAsync();
        await run2.WaitAsync(Patience);
        Assert.Equal(["later 0"], second.Writes.Select(m => m.Text));
        Assert.DoesNotContain(_logs.Entries.Select(e => e.Message), l => l.Contains("delivered again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AJournalThatCannotBeWritten_IsSaidOnce_AndTelegramKeepsWhatIsNotCommitted()
    {
        using var disk = SmallDisk.Mount(4 * ReceivedJournal.Room);
        var journal = Path.Combine(disk.Directory, "tgwatch.db.received-bot1");
        await InjectAsync(25);
        disk.Fill();
        await using (var connector = Connector(limit: 10, journal: journal))
        {
            // Nothing committed and nothing kept: every poll asks from the start again, and Telegram keeps all 25.
            var read = await ReadWithoutCommitsAsync(connector, new Dictionary<string, long>(),
                async read => read.Count >= 5 && _logs.Entries.Select(e => e.Message).Any(l => l.Contains("cannot be written", StringComparison.Ordinal)) && await PendingAsync() == 25);
            Assert.Equal(Enumerable.Range(0, read.Count).Select(i => $"m {i}"), read.Select(d => d.Message!.Text));
        }
        Assert.Single(_logs.Entries.Select(e => e.Message), l => l.Contains("cannot be written", StringComparison.Ordinal) && l.Contains("Resource", StringComparison.Ordinal));
        Assert.Equal(25, await PendingAsync());

        // Room again: the journal is written, and polls confirm what it holds.
        disk.Free();
        await using var again = Connector(limit: 10, journal: journal);
        var all = await ReadWithoutCommitsAsync(again, new Dictionary<string, long>(), async read => read.Count == 25 && await PendingAsync() == 0);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"m {i}"), all.Select(d => d.Message!.Text));
    }

    [Fact]
    public async Task ALongBacklog_KeepsTheJournalBounded_ItWaitsForTheCommitsAndStartsAgain()
    {
        // More than JournalMaxBytes of answers: the journal must be emptied on the way, never stall the drain.
        const int Count = 60_000;
        await _sandbox.Admin.SendBulkAsync(new InjectBulk { ChatIds = [-1001, -1002], Count = Count, Text = new string('x', 200) });
        var sink = new CollectingSink();
        long longest = 0;
        await using var connector = Connector();
        using var stop = new CancellationTokenSource();
        var run = new MessagePipeline(connector, [sink], new InMemoryStateStore(), new PipelineOptions { DrainTimeout = TimeSpan.FromSeconds(2) }).RunAsync(stop.Token);
        await Eventually.TrueAsync(async () =>
        {
            longest = Math.Max(longest, new FileInfo(_journal).Length);
            // The poll after the last answer confirms it (Telegram then holds none).
            return sink.Keys.Count == Count && await PendingAsync() == 0;
        }, "the whole backlog written and confirmed", TimeSpan.FromSeconds(60), running: run);
        await stop.CancelAsync();
        await run.WaitAsync(Patience);
        Assert.InRange(longest, 1, BotApiConnector.JournalMaxBytes + (1024 * 1024));
        Assert.Equal(Count, sink.Writes.Count); // none twice
    }

    [Fact]
    public async Task ItSaysNoBacklog_WhileItWaitsForItsJournalToBeCommitted()
    {
        // Answers of 100 long messages, committed an answer and a half behind: far fewer in flight than the bound, but the
        // journal (never all committed when a poll goes) reaches JournalMaxBytes with the last answer full.
        await _sandbox.Admin.SendBulkAsync(new InjectBulk { ChatIds = [Chat], Count = 2_000, Text = new string('x', 10_000) });
        await using var connector = Connector();
        var read = new List<Delivery>();
        using var stop = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var delivery in connector.ReadAsync(new Dictionary<string, long>(), stop.Token))
                {
                    int count;
                    lock (read)
                    {
                        read.Add(delivery);
                        count = read.Count;
                    }
                    if (count > 150) await connector.CommitAsync(read[count - 151].Position, stop.Token);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        });

        // The connector waits for the commits of everything its journal holds: the pipeline must not wait for more meanwhile.
        await Eventually.TrueAsync(() => WaitsForCommits() && !connector.HasBacklog, "the journal's wait, and no backlog said", Patience, running: reading);
        await stop.CancelAsync();
        await reading;

        bool WaitsForCommits()
        {
            lock (read) return read.Count is > 1_000 and < 2_000 && new FileInfo(_journal).Length >= BotApiConnector.JournalMaxBytes;
        }
    }

    [Fact]
    public void AJournal_NeedsTheConnectorsOwnHttpClient()
    {
        using var http = new HttpClient();
        var e = Assert.Throws<ArgumentException>(() => new BotApiConnector(new BotApiOptions { Token = _sandbox.Token, JournalPath = _journal }, http: http));
        Assert.Contains("JournalPath", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ItSaysItDrainsABacklog_FromAFullAnswerToOneThatIsNot_WithAJournalOnly(bool journaled)
    {
        await InjectAsync(25);
        var seen = new List<bool>();
        await using (var connector = Connector(limit: 10, journaled: journaled))
        {
            using var stop = new CancellationTokenSource(Patience);
            await foreach (var delivery in connector.ReadAsync(new Dictionary<string, long>(), stop.Token))
            {
                // As the pipeline looks at it: when the answer's updates come.
                seen.Add(connector.HasBacklog);
                await connector.CommitAsync(delivery.Position, stop.Token);
                if (seen.Count == 25) break;
            }
            Assert.False(connector.HasBacklog); // the stream ended
        }

        // Answers of 10, 10 and 5: the next poll goes at once after a full one; without a journal it waits for commits.
        Assert.Equal([.. Enumerable.Repeat(journaled, 20), .. Enumerable.Repeat(false, 5)], seen);
    }

    [Fact]
    public async Task ItSaysNoBacklog_WhileItWaitsForCommits()
    {
        await InjectAsync(120);
        await using var connector = Connector(limit: 10);
        var read = 0;
        using var stop = new CancellationTokenSource(Patience);
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var _ in connector.ReadAsync(new Dictionary<string, long>(), stop.Token)) Interlocked.Increment(ref read);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        });

        // Nothing is committed: the connector stops at what may be in flight, and the pipeline must not wait for more.
        await Eventually.TrueAsync(() => Volatile.Read(ref read) == 80 && !connector.HasBacklog, "80 in flight, and no backlog said", Patience, running: reading);
        Assert.Equal(80, Volatile.Read(ref read));
        await stop.CancelAsync();
        await reading;
    }
}
