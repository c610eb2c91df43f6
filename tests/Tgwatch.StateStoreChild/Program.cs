using System.Globalization;
using Tgwatch.Connectors;
using Tgwatch.Sqlite;
using Tgwatch.Storage;

// Tgwatch.StateStoreChild DB_PATH BATCH_SIZE MAX_BATCHES
// Continues after the last committed batch (checkpoint "batches"): records key b<b> with offset b in the ledger (as a
// sink records what it wrote), then commits batch b (BATCH_SIZE keys child:1:<b * BATCH_SIZE + i>:new:, checkpoint b),
// then prints b. A printed batch number is a promise: that batch and its ledger record are durable.
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
