using CsCheck;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>
/// Invariants 1-3 of ARCHITECTURE §2 over random histories: interleaved chats, edits and deletes,
/// redeliveries, handlers that fail for good or for a while, sinks that fail for a while, and crashes
/// (a sink writes part of a batch and the process dies; a new pipeline starts on the same state).
/// </summary>
public sealed class PipelineProperties
{
    private sealed record Scenario(
        IReadOnlyList<Delivery> Log,
        IReadOnlySet<string> AlwaysFailing,
        IReadOnlySet<string> FailingOnce,
        int SinkFailures,
        IReadOnlyList<int> CrashAfterBatches,
        int Parallelism,
        int BatchSize);

    private static readonly Gen<Scenario> Scenarios =
        from chats in Gen.Int[1, 4]
        from count in Gen.Int[1, 60]
        from picks in Gen.Select(Gen.Int[0, 3], Gen.Int[0, 9], Gen.Int[0, 99]).Array[count]
        from redeliver in Gen.Int[0, 99].Array[Gen.Int[0, 8]]
        from perChatStreams in Gen.Bool
        from failing in Gen.Int[0, 99].Array[Gen.Int[0, 4]]
        from once in Gen.Int[0, 99].Array[Gen.Int[0, 4]]
        from sinkFailures in Gen.Int[0, 6]
        from crashes in Gen.Int[1, 6].Array[Gen.Int[0, 3]]
        from parallelism in Gen.Int[1, 4]
        from batch in Gen.Int[1, 8]
        select Build(chats, picks, redeliver, perChatStreams, failing, once, sinkFailures, crashes, parallelism, batch);

    private static Scenario Build(int chats, (int Chat, int Kind, int Target)[] picks, int[] redeliver, bool perChatStreams,
        int[] failing, int[] once, int sinkFailures, int[] crashes, int parallelism, int batch)
    {
        var messages = new List<TgMessage>();
        var nextId = new Dictionary<long, long>();
        foreach (var (c, kind, target) in picks)
        {
            long chat = -100 - (c % chats);
            var sent = messages.Where(m => m.Chat.Id == chat && m.Kind == MessageKind.New).ToList();
            if (kind >= 8 && sent.Count > 0)
            {
                var of = sent[target % sent.Count];
                messages.Add(kind == 8
                    ? of with { Kind = MessageKind.Edit, EditDate = of.Date.AddSeconds(1 + messages.Count), Text = $"edit {messages.Count}" }
                    : of with { Kind = MessageKind.Delete, Text = null });
                continue;
            }
            var id = nextId[chat] = nextId.GetValueOrDefault(chat) + 1;
            messages.Add(SomeMessage.New(id, $"text {id}", chatId: chat));
        }
        // A redelivery repeats an earlier message later in the log (as a backfill overlap would).
        foreach (var r in redeliver) messages.Add(messages[r % messages.Count]);
        var positions = new Dictionary<string, long>();
        var log = messages.Select(m =>
        {
            var stream = perChatStreams ? $"chat{m.Chat.Id}" : "updates";
            var p = positions[stream] = positions.GetValueOrDefault(stream) + 1 + (m.MessageId % 2); // gaps too
            return new Delivery(m, new Checkpoint(stream, p));
        }).ToList();
        var keys = messages.Select(m => m.Key).Distinct().ToList();
        return new Scenario(log,
            failing.Select(i => keys[i % keys.Count]).ToHashSet(),
            once.Select(i => keys[i % keys.Count]).ToHashSet(),
            sinkFailures, crashes, parallelism, batch);
    }

    [Fact]
    public void EveryMessageReachesEverySinkOnce_CheckpointsNeverRunAhead_DeadLettersHoldExactlyTheFailingMessages() =>
        Scenarios.Sample(s => RunScenario(s).GetAwaiter().GetResult(), iter: 120, threads: 2);

    private static async Task RunScenario(Scenario s)
    {
        var store = new InMemoryStateStore();
        var steady = new CollectingSink("steady");
        var crashy = new CollectingSink("crashy");
        var aheadOfSinks = new List<string>();
        store.OnCommit = commit =>
        {
            foreach (var cp in commit.Checkpoints)
                foreach (var d in s.Log.Where(d => d.Position.Stream == cp.Stream && d.Position.Position <= cp.Position))
                    if (!steady.ByKey.ContainsKey(d.Message!.Key) || !crashy.ByKey.ContainsKey(d.Message.Key))
                        aheadOfSinks.Add($"{cp} passed {d.Message.Key}");
        };
        var failedOnce = new HashSet<string>();
        var handler = new DelegateHandler("h", (m, _) =>
        {
            if (s.AlwaysFailing.Contains(m.Key)) throw new InvalidOperationException($"bug on {m.Key}");
            lock (failedOnce)
                if (s.FailingOnce.Contains(m.Key) && failedOnce.Add(m.Key)) throw new TimeoutException($"slow on {m.Key}");
            return ValueTask.CompletedTask;
        });
        var sinkFailures = s.SinkFailures;
        steady.BeforeWrite = (_, _) => Interlocked.Decrement(ref sinkFailures) >= 0 ? throw new TimeoutException("sink busy") : ValueTask.CompletedTask;

        var crashes = new Queue<int>(s.CrashAfterBatches);
        var runs = 0;
        while (true)
        {
            runs++;
            var crashAt = crashes.Count > 0 ? crashy.Batches + crashes.Dequeue() : int.MaxValue;
            var crashed = new TaskCompletionSource();
            crashy.BeforeWrite = async (batch, ct) =>
            {
                if (crashy.Batches < crashAt) return;
                // The process dies in the middle of this batch: a part is on disk, nothing is committed.
                crashy.Store(batch.Take(batch.Count / 2));
                crashed.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            };
            var connector = new ScriptedConnector(s.Log);
            var options = PipelineFixture.FastOptions();
            options.Parallelism = s.Parallelism;
            options.BatchSize = s.BatchSize;
            options.DrainTimeout = TimeSpan.FromMilliseconds(30);
            var pipeline = new MessagePipeline(connector, [steady, crashy], store, options, handlers: [handler]);
            using var stop = new CancellationTokenSource();
            var run = pipeline.RunAsync(stop.Token);
            var first = await Task.WhenAny(run, crashed.Task).WaitAsync(TimeSpan.FromSeconds(30));
            if (first == run)
            {
                await run;
                break; // ran to the end without the crash point being reached
            }
            stop.Cancel();
            await run.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Empty(aheadOfSinks);
        var expected = s.Log.Select(d => d.Message!.Key).Distinct().Order().ToList();
        foreach (var sink in new[] { steady, crashy })
            Assert.Equal(expected, sink.ByKey.Keys.Order());
        if (runs == 1)
        {
            // Without a crash the pipeline itself wrote each key once (no reliance on sink idempotency).
            Assert.Equal(expected.Count, steady.Writes.Count);
        }
        var letters = await store.DeadLetters.ListAsync(1000, 0, default);
        Assert.Equal(s.AlwaysFailing.Order(), letters.Select(l => l.Letter.Key).Order());
        Assert.All(letters, l => Assert.Equal("handler:h", l.Letter.Stage));
        var checkpoints = await store.LoadCheckpointsAsync("bot42", "scripted", default);
        foreach (var stream in s.Log.GroupBy(d => d.Position.Stream))
            Assert.Equal(stream.Max(d => d.Position.Position), checkpoints[stream.Key]);
    }
}
