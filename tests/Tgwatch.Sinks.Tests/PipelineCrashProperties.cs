using System.Text;
using CsCheck;
using Microsoft.Data.Sqlite;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.Sinks.Sqlite;
using Tgwatch.Sqlite;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests;

/// <summary>
/// The pipeline over real files: the SQLite state store, a JSONL file and a SQLite sink. Random histories
/// with redeliveries and failing handlers; crashes in the middle of a JSONL write (a part of the batch
/// reaches the file, a line is torn, nothing is committed), each followed by a new pipeline on the same
/// files. In the end every message is in both files exactly once and nothing is torn.
/// </summary>
public sealed class PipelineCrashProperties
{
    private sealed record Scenario(IReadOnlyList<Delivery> Log, IReadOnlySet<string> Failing, IReadOnlyList<int> CrashAfter, int BatchSize);

    private static readonly Gen<Scenario> Scenarios =
        from chats in Gen.Int[1, 3]
        from count in Gen.Int[1, 50]
        from chatOf in Gen.Int[0, 2].Array[count]
        from redeliver in Gen.Int[0, 99].Array[Gen.Int[0, 6]]
        from failing in Gen.Int[0, 99].Array[Gen.Int[0, 3]]
        from crashes in Gen.Int[1, 4].Array[Gen.Int[0, 3]]
        from batch in Gen.Int[1, 6]
        select Build(chats, chatOf, redeliver, failing, crashes, batch);

    private static Scenario Build(int chats, int[] chatOf, int[] redeliver, int[] failing, int[] crashes, int batch)
    {
        var next = new Dictionary<long, long>();
        var messages = chatOf.Select(c =>
        {
            long chat = -200 - (c % chats);
            var id = next[chat] = next.GetValueOrDefault(chat) + 1;
            return SomeMessage.New(id, $"text {id} «ж»", chatId: chat);
        }).ToList();
        foreach (var r in redeliver) messages.Add(messages[r % messages.Count]);
        var log = messages.Select((m, i) => new Delivery(m, new Checkpoint("updates", i + 1))).ToList();
        var keys = messages.Select(m => m.Key).Distinct().ToList();
        return new Scenario(log, failing.Select(i => keys[i % keys.Count]).ToHashSet(), crashes, batch);
    }

    [Fact]
    public void EveryMessageIsInBothFilesOnce_AfterCrashesMidWrite() =>
        Scenarios.Sample(s => Run(s).GetAwaiter().GetResult(), iter: 25, threads: 1);

    private static async Task Run(Scenario s)
    {
        var dir = Some.TempDirectory("tgwatch-crash");
        var (jsonlPath, sqlitePath, statePath) = (Path.Combine(dir, "out.jsonl"), Path.Combine(dir, "out.db"), Path.Combine(dir, "state.db"));
        var handler = new FailingHandler(s.Failing);
        var crashes = new Queue<int>(s.CrashAfter);
        var batches = 0;
        while (true)
        {
            var store = await SqliteStateStore.OpenAsync(statePath, TimeProvider.System, default);
            var jsonl = new JsonlSink(new JsonlSinkOptions { Path = jsonlPath }, store.SinkLedger);
            var crashAt = crashes.Count > 0 ? batches + crashes.Dequeue() : int.MaxValue;
            var crashed = new TaskCompletionSource();
            var crashing = new CrashingSink(jsonl, jsonlPath, store.SinkLedger, () => ++batches >= crashAt, crashed);
            var sqlite = new SqliteMessageSink(sqlitePath);
            var options = new PipelineOptions
            {
                BatchSize = s.BatchSize,
                MinBackoff = TimeSpan.FromMilliseconds(1),
                MaxBackoff = TimeSpan.FromMilliseconds(5),
                DrainTimeout = TimeSpan.FromMilliseconds(50),
            };
            var pipeline = new MessagePipeline(new ScriptedConnector(s.Log), [crashing, sqlite], store, options, handlers: [handler]);
            using var stop = new CancellationTokenSource();
            var run = pipeline.RunAsync(stop.Token);
            var first = await Task.WhenAny(run, crashed.Task).WaitAsync(TimeSpan.FromSeconds(60));
            if (first != run) stop.Cancel();
            await run.WaitAsync(TimeSpan.FromSeconds(60));
            await sqlite.DisposeAsync();
            await jsonl.DisposeAsync();
            await store.DisposeAsync();
            if (first == run) break;
        }

        var expected = s.Log.Select(d => d.Message!.Key).Distinct().Order().ToList();
        var lines = await File.ReadAllLinesAsync(jsonlPath);
        Assert.True(expected.SequenceEqual(lines.Select(l => TgMessageJson.Parse(l).Key).Order()), $"JSONL in {dir}: {string.Join(" | ", lines.Select(l => TgMessageJson.Parse(l).Key))}");
        await using (var c = new SqliteConnection($"Data Source={sqlitePath};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT key FROM messages ORDER BY key";
            using var r = cmd.ExecuteReader();
            var rows = new List<string>();
            while (r.Read()) rows.Add(r.GetString(0));
            Assert.Equal(expected, rows.Order(StringComparer.Ordinal).ToList().Order());
        }
        await using var check = await SqliteStateStore.OpenAsync(statePath, TimeProvider.System, default);
        Assert.Equal(s.Log.Count, (await check.LoadCheckpointsAsync("bot42", "scripted", default))["updates"]);
        Assert.Equal(s.Failing.Order(), (await check.DeadLetters.ListAsync(1000, 0, default)).Select(l => l.Letter.Key).Order());
    }

    private sealed class FailingHandler(IReadOnlySet<string> failing) : IMessageHandler
    {
        public string Name => "h";

        public ValueTask HandleAsync(TgMessage message, CancellationToken ct) =>
            failing.Contains(message.Key) ? throw new InvalidOperationException("always fails") : ValueTask.CompletedTask;
    }

    /// <summary>A JSONL sink that, at its crash point, leaves half a batch and a torn line in the file and hangs (the process is gone).</summary>
    private sealed class CrashingSink(JsonlSink inner, string path, Storage.ISinkLedger ledger, Func<bool> crashNow, TaskCompletionSource crashed) : IMessageSink
    {
        public string Name => inner.Name;

        public ValueTask StartAsync(CancellationToken ct) => inner.StartAsync(ct);

        public async ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
        {
            if (!crashNow())
            {
                await inner.WriteAsync(batch, ct);
                return;
            }
            // What the sink would write (the keys it has not written yet), cut short by the crash.
            var written = await ledger.FindWrittenAsync(inner.Name, [.. batch.Select(m => m.Key)], ct);
            var fresh = batch.Where(m => !written.Contains(m.Key)).DistinctBy(m => m.Key).ToList();
            var text = new StringBuilder();
            foreach (var m in fresh.Take(fresh.Count / 2)) text.Append(TgMessageJson.ToJson(m)).Append('\n');
            var torn = TgMessageJson.ToJson(fresh.Count > 0 ? fresh[^1] : batch[^1]);
            text.Append(torn[..(torn.Length / 2)]);
            await File.AppendAllTextAsync(path, text.ToString(), CancellationToken.None);
            crashed.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
