using System.Globalization;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.Sqlite;
using Tgwatch.Storage;

// Tgwatch.StateStoreChild DB_PATH BATCH_SIZE MAX_BATCHES
// Continues after the last committed batch (checkpoint "batches"): records key b<b> with offset b in the ledger (as a
// sink records what it wrote), then commits batch b (BATCH_SIZE keys child:1:<b * BATCH_SIZE + i>:new:, checkpoint b),
// then prints b. A printed batch number is a promise: that batch and its ledger record are durable.
// Tgwatch.StateStoreChild jsonl DB_PATH JSONL_PATH: a JSONL sink on the store (JsonlChild below).
if (args is ["jsonl", var db, var jsonl]) return await JsonlChild.RunAsync(db, jsonl);
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Tgwatch.StateStoreChild DB_PATH BATCH_SIZE MAX_BATCHES");
    return 2;
}
var size = int.Parse(args[1], CultureInfo.InvariantCulture);
var max = long.Parse(args[2], CultureInfo.InvariantCulture);
await using var store = await SqliteStateStore.OpenAsync(args[0], TimeProvider.System, CancellationToken.None);
var first = (await store.LoadCheckpointsAsync("child", "test", CancellationToken.None)).GetValueOrDefault("batches") + 1;
Console.WriteLine($"start {first}");
for (var b = first; b <= max; b++)
{
    var batch = new ProcessedMessage[size];
    for (var i = 0; i < size; i++)
    {
        var id = b * size + i;
        batch[i] = new ProcessedMessage($"child:1:{id}:new:", 1, "child chat", id, DateTimeOffset.UtcNow);
    }
    await store.SinkLedger.RecordAsync("jsonl", [$"b{b}"], b, CancellationToken.None);
    await store.CommitAsync(new StoreCommit("child", "test", [new Checkpoint("batches", b)], batch, DateTimeOffset.UtcNow), CancellationToken.None);
    Console.WriteLine(b);
}
return 0;

/// <summary>
/// Tgwatch.StateStoreChild jsonl DB_PATH JSONL_PATH: a JSONL sink on a SQLite state store, as a pipeline drives it. Messages 1-3
/// are written and committed; messages 4-5 are written and the commit does not come (another sink retries its write of the
/// batch); then "written" is printed and the child waits to be killed.
/// </summary>
internal static class JsonlChild
{
    public static TgMessage Message(long id) => new()
    {
        Account = "child",
        Connector = "test",
        Chat = new ChatInfo(-100777, "supergroup", "child chat", null),
        MessageId = id,
        Date = DateTimeOffset.UnixEpoch.AddDays(20000).AddSeconds(id),
        Text = $"message {id}",
    };

    public static async Task<int> RunAsync(string db, string jsonl)
    {
        var store = await SqliteStateStore.OpenAsync(db, TimeProvider.System, CancellationToken.None);
        var sink = new JsonlSink(new JsonlSinkOptions { Path = jsonl }, store.SinkLedger);
        await sink.StartAsync(CancellationToken.None);
        TgMessage[] first = [Message(1), Message(2), Message(3)];
        await sink.WriteAsync(first, CancellationToken.None);
        var processed = first.Select(m => new ProcessedMessage(m.Key, m.Chat.Id, m.Chat.Title, m.MessageId, m.Date)).ToList();
        await store.CommitAsync(new StoreCommit("child", "test", [new Checkpoint("updates", 3)], processed, DateTimeOffset.UtcNow), CancellationToken.None);
        await sink.WriteAsync([Message(4), Message(5)], CancellationToken.None);
        Console.WriteLine("written");
        await Task.Delay(Timeout.Infinite);
        return 0;
    }
}
