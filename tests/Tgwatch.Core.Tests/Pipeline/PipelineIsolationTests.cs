using Microsoft.Extensions.Time.Testing;
using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Pipeline.Filters;
using Tgwatch.Storage;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>Isolation and shutdown: no single failure, defect or stuck component stops the stream or a stop.</summary>
public sealed class PipelineIsolationTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(5);

    // a sink rejecting the only message of a batch (non-transient) must dead-letter it, not kill the sink stage.
    [Fact]
    public async Task ASinkRejectingTheOnlyMessageOfABatch_DeadLettersIt_AndTheStreamGoesOn()
    {
        var options = PipelineFixture.FastOptions();
        options.BatchSize = 1; // the normal case at low traffic: one message per batch
        var messages = SomeMessage.Batch(1, 3);
        var sink = new CollectingSink { BeforeWrite = (b, _) => b.Any(m => m.MessageId == 2) ? throw new InvalidOperationException("cannot store") : ValueTask.CompletedTask };
        var store = new InMemoryStateStore();
        var connector = ScriptedConnector.Of(messages);
        var pipeline = PipelineFixture.Create(connector, [sink], store, options);

        var error = await Record.ExceptionAsync(() => pipeline.RunToEndAsync(10));

        Assert.Null(error);
        Assert.Equal(1, await store.DeadLetters.CountAsync(default));
        Assert.Equal(3, connector.Committed.GetValueOrDefault("updates"));
    }

    // a stop must return within DrainTimeout even when the connector is back-pressured by a sink that keeps failing.
    [Fact]
    public async Task AStopWhileASinkKeepsFailing_ReturnsWithinTheDrainTimeout()
    {
        var options = PipelineFixture.FastOptions();
        options.Parallelism = 1;
        options.Capacity = 16;
        options.BatchSize = 4;
        options.DrainTimeout = TimeSpan.FromSeconds(1);
        var time = new FakeTimeProvider(SomeMessage.Date);
        var sink = new CollectingSink { BeforeWrite = (_, _) => throw new TimeoutException("disk slow") };
        var connector = ScriptedConnector.Of(SomeMessage.Batch(1, 200));
        connector.EndWhenDone = false;
        var delivered = 0;
        connector.BeforeDelivery = (_, _) =>
        {
            Interlocked.Increment(ref delivered);
            return ValueTask.CompletedTask;
        };
        var pipeline = PipelineFixture.Create(connector, [sink], new InMemoryStateStore(), options, time: time);
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        await Eventually.OnClockAsync(time, Step, () => pipeline.Stats.SinkRetries >= 3 && Volatile.Read(ref delivered) >= options.Capacity,
            "the sink retrying and the connector's messages queued", TimeSpan.FromMinutes(1));
        stop.Cancel();

        await Eventually.OnClockAsync(time, Step, () => run.IsCompleted, "RunAsync's return after the stop (DrainTimeout = 1 s)", TimeSpan.FromSeconds(6));
        await run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    // a sink that answers its cancellation with an exception of its own (drivers do: IOException, NpgsqlException...)
    // is being stopped, not failing: the stop returns normally and nothing of its batch is committed.
    [Fact]
    public async Task ASinkThatThrowsItsOwnExceptionWhenCancelledAtTheDrainTimeout_IsAStopNotAFailure()
    {
        var hang = new TaskCompletionSource();
        await AssertAStopNotAFailure(async (_, ct) =>
        {
            try { await hang.Task.WaitAsync(ct); }
            catch (OperationCanceledException) { throw new IOException("write aborted"); }
        }, batchesBeforeTheStop: 1);
    }

    // the same, and the sink's own exception comes while the transient retry of a failing sink waits: a stop, not a failure.
    [Fact]
    public Task ARetriedSinkThatThrowsWhenCancelled_IsAStopNotAFailure() =>
        AssertAStopNotAFailure((_, ct) => ct.IsCancellationRequested ? throw new IOException("write aborted") : throw new TimeoutException("disk slow"), batchesBeforeTheStop: 4);

    private static async Task AssertAStopNotAFailure(Func<IReadOnlyList<TgMessage>, CancellationToken, ValueTask> write, int batchesBeforeTheStop)
    {
        var options = PipelineFixture.FastOptions();
        options.Parallelism = 1;
        options.BatchSize = 4;
        options.DrainTimeout = TimeSpan.FromMilliseconds(300);
        var sink = new CollectingSink { BeforeWrite = write };
        var connector = ScriptedConnector.Of(SomeMessage.Batch(1, 20));
        connector.EndWhenDone = false;
        var pipeline = PipelineFixture.Create(connector, [sink], new InMemoryStateStore(), options);
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => sink.Batches >= batchesBeforeTheStop, $"{batchesBeforeTheStop} batches at the sink");
        stop.Cancel();

        var error = await Record.ExceptionAsync(() => run.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Null(error);
        Assert.False(connector.Committed.ContainsKey("updates"));
    }

    // a handler's dead letter that cannot be stored goes to the log whole; the stream goes on and a stop still returns.
    [Fact]
    public async Task ADeadLetterThatCannotBeStored_DoesNotStopTheStream()
    {
        var options = PipelineFixture.FastOptions();
        options.Parallelism = 1;
        options.DrainTimeout = TimeSpan.FromSeconds(1);
        var store = new FlakyDeadLetterStore(new InMemoryStateStore());
        var handler = new DelegateHandler("bug", (m, _) => m.MessageId == 1 ? throw new InvalidOperationException("bug") : ValueTask.CompletedTask);
        var sink = new CollectingSink();
        var connector = ScriptedConnector.Of(SomeMessage.Batch(1, 100));
        connector.EndWhenDone = false;
        var pipeline = new MessagePipeline(connector, [sink], store, options, handlers: [handler]);
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);

        var allWritten = await Record.ExceptionAsync(() => Eventually.TrueAsync(() => sink.Keys.Count == 100, "all 100 written", TimeSpan.FromSeconds(10))) is null;
        stop.Cancel();
        var returned = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(6))) == run;
        Assert.True(allWritten && returned, $"only {sink.Keys.Count} of 100 written; committed {connector.Committed.GetValueOrDefault("updates")}; RunAsync returned after stop: {returned}");
    }

    // a filter that throws for one message must not stop the others.
    [Fact]
    public async Task AFilterThatThrows_KeepsTheMessage_AndDoesNotStopThePipeline()
    {
        var filter = new DelegateFilter(m => m.MessageId == 2 ? throw new InvalidOperationException("filter bug") : true);
        var sink = new CollectingSink();
        var connector = ScriptedConnector.Of(SomeMessage.Batch(1, 5));
        var pipeline = PipelineFixture.Create(connector, [sink], new InMemoryStateStore(), filters: [filter]);
        var error = await Record.ExceptionAsync(() => pipeline.RunToEndAsync(10));
        Assert.Null(error);
        Assert.Equal(5, connector.Committed.GetValueOrDefault("updates"));
        Assert.Equal(5, sink.Keys.Count); // the message the filter failed on is kept
    }

    // a malformed delivery (null Chat) must be isolated, not kill the run (it would be redelivered forever: a poison pill).
    [Fact]
    public async Task AMessageWithoutAChat_IsSkipped_AndDoesNotStopThePipeline()
    {
        var messages = new[] { SomeMessage.New(1), SomeMessage.New(2) with { Chat = null! }, SomeMessage.New(3) };
        var sink = new CollectingSink();
        var connector = ScriptedConnector.Of(messages);
        var pipeline = PipelineFixture.Create(connector, [sink], new InMemoryStateStore());
        var error = await Record.ExceptionAsync(() => pipeline.RunToEndAsync(10));
        Assert.Null(error);
        Assert.Equal(3, connector.Committed.GetValueOrDefault("updates"));
        Assert.Equal([1L, 3L], sink.Writes.Select(w => w.MessageId));
    }

    // the background retry of an unresolved reply is stored in the commit of its message, so a stop or kill after the commit cannot lose it.
    [Fact]
    public async Task APendingReply_IsCommittedWithItsMessage()
    {
        var options = PipelineFixture.FastOptions();
        options.DrainTimeout = TimeSpan.FromMilliseconds(500);
        var reply = SomeMessage.New(2) with { ReplyTo = new ReplyRef(-1001234567890, 1, ReplyState.Unresolved) };
        var connector = ScriptedConnector.Of([reply]);
        connector.EndWhenDone = false;
        connector.ReplyFault = (_, _, _) => ValueTask.FromResult<ReplyResult?>(ReplyResult.Failed(FaultKind.Network, "reset"));
        var inner = new InMemoryStateStore();
        var store = new SlowPendingStore(inner); // AddAsync of a pending reply waits until cancelled (the process dies there)
        var sink = new CollectingSink();
        using var stop = new CancellationTokenSource();
        var run = new MessagePipeline(connector, [sink], store, options).RunAsync(stop.Token);
        await Eventually.TrueAsync(() => inner.Commits >= 1, "the message committed");
        stop.Cancel(); // or kill -9: the commit is done, the pending entry is not
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ReplyState.Unresolved, sink.Writes.Single().ReplyTo!.State);
        Assert.Equal(1, (await inner.LoadCheckpointsAsync("bot42", "scripted", default))["updates"]); // committed
        Assert.Contains(reply.Key, await inner.FindProcessedAsync([reply.Key], default));             // deduped from now on
        Assert.Equal(1, await inner.PendingReplies.CountAsync(default));                                 // ... and its reply will be resolved
    }

    // filters apply to reply updates too (KindFilter maps them to Edit): an update the filters turn away is not written, and its pending entry is done.
    [Fact]
    public async Task AReplyUpdate_GoesThroughTheFilters()
    {
        var reply = SomeMessage.New(2) with { ReplyTo = new ReplyRef(-1001234567890, 1, ReplyState.Unresolved) };
        var connector = ScriptedConnector.Of([reply]);
        connector.EndWhenDone = false;
        connector.Replies[new MessageRef(-1001234567890, 1)] = "later";
        var reads = 0;
        connector.ReplyFault = (_, _, _) => ValueTask.FromResult(Interlocked.Increment(ref reads) == 1 ? ReplyResult.Failed(FaultKind.Network, "reset") : null);
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        var pipeline = PipelineFixture.Create(connector, [sink], store, filters: [new KindFilter([MessageKind.New])]);
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => pipeline.Stats.ReplyUpdates == 1, "the reply update");
        await Eventually.TrueAsync(async () => await store.PendingReplies.CountAsync(default) == 0, "no pending reply left");
        stop.Cancel();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(sink.Writes, w => w.IsReplyUpdate);
        Assert.Single(sink.Writes);
    }

    private sealed class DelegateFilter(Func<TgMessage, bool> accepts) : IMessageFilter
    {
        public bool Accepts(TgMessage message) => accepts(message);
    }

    private sealed class FlakyDeadLetterStore(InMemoryStateStore inner) : DelegatingStateStore(inner), IDeadLetterStore
    {
        public override IDeadLetterStore DeadLetters => this;
        public ValueTask<long> AddAsync(NewDeadLetter letter, CancellationToken ct) => throw new IOException("disk I/O error");
        public ValueTask<IReadOnlyList<DeadLetter>> ListAsync(int limit, long afterId, CancellationToken ct) => Inner.DeadLetters.ListAsync(limit, afterId, ct);
        public ValueTask<bool> RemoveAsync(long id, CancellationToken ct) => Inner.DeadLetters.RemoveAsync(id, ct);
        public ValueTask<long> CountAsync(CancellationToken ct) => Inner.DeadLetters.CountAsync(ct);
    }

    private sealed class SlowPendingStore(InMemoryStateStore inner) : DelegatingStateStore(inner), IPendingReplyStore
    {
        public override IPendingReplyStore PendingReplies => this;
        public async ValueTask AddAsync(PendingReply pending, CancellationToken ct) { await Task.Delay(Timeout.Infinite, ct); await Inner.PendingReplies.AddAsync(pending, ct); }
        public ValueTask<IReadOnlyList<PendingReply>> DueAsync(DateTimeOffset now, int limit, CancellationToken ct) => Inner.PendingReplies.DueAsync(now, limit, ct);
        public ValueTask<DateTimeOffset?> NextDueAsync(CancellationToken ct) => Inner.PendingReplies.NextDueAsync(ct);
        public ValueTask RescheduleAsync(string key, int attempts, DateTimeOffset next, CancellationToken ct) => Inner.PendingReplies.RescheduleAsync(key, attempts, next, ct);
        public ValueTask RemoveAsync(string key, CancellationToken ct) => Inner.PendingReplies.RemoveAsync(key, ct);
        public ValueTask<long> CountAsync(CancellationToken ct) => Inner.PendingReplies.CountAsync(ct);
    }
}

public sealed class PipelineStopTests
{
    // DrainTimeout bounds a stop only if every sink honours its token; a stuck sink write hangs RunAsync forever.
    [Fact]
    public async Task ASinkThatIgnoresItsToken_DoesNotHoldAStopPastTwiceTheDrainTimeout()
    {
        var options = PipelineFixture.FastOptions();
        options.DrainTimeout = TimeSpan.FromSeconds(1);
        var time = new FakeTimeProvider(SomeMessage.Date);
        var release = new TaskCompletionSource();
        var sink = new CollectingSink { BeforeWrite = async (_, _) => await release.Task };
        var connector = ScriptedConnector.Of(SomeMessage.Batch(1, 3));
        connector.EndWhenDone = false;
        var pipeline = PipelineFixture.Create(connector, [sink], new InMemoryStateStore(), options, time: time);
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => sink.Batches > 0, "a write stuck in the sink");
        stop.Cancel();
        try
        {
            await Eventually.OnClockAsync(time, TimeSpan.FromMilliseconds(5), () => run.IsCompleted, "RunAsync's return after the stop (DrainTimeout = 1 s)", TimeSpan.FromSeconds(5));
        }
        finally
        {
            release.SetResult();
        }
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    // a run that left a stuck stage behind: a new run on the same pipeline would share its state with that stage
    // (positions, keys in flight); it is refused until the stage is gone, then runs as usual.
    [Fact]
    public async Task ANewRunWhileAStageOfTheLastIsStillStuck_IsRefused_UntilTheStageIsGone()
    {
        var options = PipelineFixture.FastOptions();
        options.DrainTimeout = TimeSpan.FromMilliseconds(300);
        var release = new TaskCompletionSource();
        var sink = new CollectingSink { BeforeWrite = async (_, _) => await release.Task };
        var connector = ScriptedConnector.Of(SomeMessage.Batch(1, 3));
        var store = new InMemoryStateStore();
        var pipeline = PipelineFixture.Create(connector, [sink], store, options);
        using (var stop = new CancellationTokenSource())
        {
            connector.EndWhenDone = false;
            var run = pipeline.RunAsync(stop.Token);
            await Eventually.TrueAsync(() => sink.Batches > 0, "a write stuck in the sink");
            stop.Cancel();
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.RunAsync(bounded.Token));
        Assert.Equal("a stage of the last run is still stuck in a sink or handler; start a new pipeline", refused.Message);

        release.SetResult();
        connector.EndWhenDone = true;
        await Eventually.ValueAsync<string?>(async () =>
        {
            try
            {
                await pipeline.RunToEndAsync(10);
                return null;
            }
            catch (InvalidOperationException e)
            {
                return e.Message;
            }
        }, refused => refused is null, "a run accepted once the stuck stage is gone");
        Assert.Equal(3, connector.Committed.GetValueOrDefault("updates"));
    }
}
