using Microsoft.Extensions.Time.Testing;
using Tgwatch.Messages;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.Sqlite;
using Tgwatch.Storage;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Jsonl;

/// <summary>
/// A JSONL sink on the SQLite state store, fed as the pipeline feeds it (processed keys looked up, the batch written to the
/// sinks that lack it, then committed with them), while the pipeline prunes the processed keys as it does every 10 minutes.
/// The sink's own memory of what it wrote (README, "No duplicates") ages out by age only: a message it wrote in the last
/// 7 days and delivered again (a history read again, an import of the same archive) must not be written twice, whatever
/// the processed keys' count limit dropped, and however old the key's first processing was.
/// </summary>
public sealed class JsonlProcessedPruneTests : IDisposable
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(7);
    private const string Other = "sqlite:archive.db";

    private readonly string _dir = Some.TempDirectory("tgwatch-jsonl-prune");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private string Jsonl => Path.Combine(_dir, "out.jsonl");

    private Task<SqliteStateStore> OpenStoreAsync() =>
        SqliteStateStore.OpenAsync(Path.Combine(_dir, "state.db"), _time, CancellationToken.None);

    private async Task<JsonlSink> StartSinkAsync(SqliteStateStore store)
    {
        var sink = new JsonlSink(new JsonlSinkOptions { Path = Jsonl }, store.SinkLedger);
        await sink.StartAsync(CancellationToken.None);
        return sink;
    }

    /// <summary>As the pipeline does with a batch: to the sinks that lack each message, then one commit naming them.</summary>
    private async Task DeliverAsync(SqliteStateStore store, JsonlSink? jsonl, IReadOnlyList<TgMessage> batch)
    {
        string[] sinks = jsonl is null ? [Other] : [Other, jsonl.Name];
        var had = await store.FindProcessedAsync([.. batch.Select(m => m.Key)], sinks, CancellationToken.None);
        var toJsonl = new List<TgMessage>();
        var processed = new List<ProcessedMessage>();
        foreach (var m in batch)
        {
            IReadOnlyList<string> targets = had.TryGetValue(m.Key, out var lacking) ? lacking : sinks;
            if (targets.Count == 0) continue; // a duplicate: every sink has it
            if (jsonl is not null && targets.Contains(jsonl.Name)) toJsonl.Add(m);
            processed.Add(new ProcessedMessage(m.Key, m.Chat.Id, m.Chat.Title, m.MessageId, m.Date) { Sinks = targets });
        }
        if (jsonl is not null && toJsonl.Count > 0) await jsonl.WriteAsync(toJsonl, CancellationToken.None);
        if (processed.Count > 0)
            await store.CommitAsync(new StoreCommit("bot42", "botapi", [], processed, _time.GetUtcNow()), CancellationToken.None);
    }

    /// <summary>The pipeline's prune: keys older than the retention, and the oldest beyond <paramref name="keep"/>.</summary>
    private async Task PruneAsync(SqliteStateStore store, int keep = 1_000_000) =>
        await store.PruneProcessedAsync(_time.GetUtcNow() - Retention, keep, CancellationToken.None);

    private List<long> Ids() => [.. File.ReadAllLines(Jsonl).Where(l => l.Length > 0).Select(l => TgMessageJson.Parse(l).MessageId)];

    [Fact]
    public async Task KeysPrunedByCount_WrittenAnHourAgo_AreNotWrittenTwiceWhenDeliveredAgain()
    {
        await using var store = await OpenStoreAsync();
        await using var sink = await StartSinkAsync(store);
        await DeliverAsync(store, sink, SomeMessage.Batch(1, 3));
        _time.Advance(TimeSpan.FromMinutes(30));
        await DeliverAsync(store, sink, SomeMessage.Batch(4, 3));
        _time.Advance(TimeSpan.FromMinutes(30));

        // The processed keys are kept at most 3 (ProcessedKeep): 1 to 3 go, an hour old.
        await PruneAsync(store, keep: 3);
        // 1 to 3 come again (a history read again): the processed keys no longer know them, the sink's ledger must.
        await DeliverAsync(store, sink, SomeMessage.Batch(1, 3));

        Assert.Equal([1, 2, 3, 4, 5, 6], Ids());
    }

    [Fact]
    public async Task AJsonlSinkAddedLater_AMessageItWroteTwoDaysAgo_IsNotWrittenTwiceOnceItsFirstProcessingAgesOut()
    {
        await using (var store = await OpenStoreAsync())
        {
            // Day 0: the run has one sink (no JSONL yet).
            await DeliverAsync(store, null, SomeMessage.Batch(1, 3));
        }

        _time.Advance(TimeSpan.FromDays(6));
        await using (var store = await OpenStoreAsync())
        await using (var sink = await StartSinkAsync(store))
        {
            // Day 6: a JSONL sink added; the same messages come again (an import of the archive): the JSONL sink gets them.
            await DeliverAsync(store, sink, SomeMessage.Batch(1, 3));
            Assert.Equal([1, 2, 3], Ids());

            // Day 8: the pipeline prunes what was processed more than 7 days ago (the keys' first processing, day 0).
            _time.Advance(TimeSpan.FromDays(2));
            await PruneAsync(store);
            // They come again: the JSONL sink wrote them 2 days ago, within its 7 days.
            await DeliverAsync(store, sink, SomeMessage.Batch(1, 3));
        }

        Assert.Equal([1, 2, 3], Ids());
    }

    [Fact]
    public async Task MessagesAnotherProcessWroteAfterThisStoreOpened_AreNotWrittenTwiceByTheSinkThatTakesTheFileOver()
    {
        // A run opens its state store (loading the processed keys' filter), then waits before it opens its sinks; meanwhile
        // another process on the same state store (the previous run ending, an import) writes 1 to 3 to the file and lets it go.
        await using var store = await OpenStoreAsync();
        await using (var other = await OpenStoreAsync())
        await using (var sink = await StartSinkAsync(other))
        {
            await DeliverAsync(other, sink, SomeMessage.Batch(1, 3));
        }

        // The run opens the file and gets 1 to 3 again (its filter has not seen them: the sinks' idempotence is all there is).
        await using (var sink = await StartSinkAsync(store))
        {
            await DeliverAsync(store, sink, SomeMessage.Batch(1, 4));
        }

        Assert.Equal([1, 2, 3, 4], Ids());
    }
}
