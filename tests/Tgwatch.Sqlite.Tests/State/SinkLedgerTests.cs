using Tgwatch.Connectors;
using Tgwatch.TestKit;

namespace Tgwatch.Sqlite.Tests.State;

/// <summary>
/// A sink's record of an append goes into the database with the store's next commit (one transaction a batch), and is
/// answered from memory until then; every other record is written at once, after what is held.
/// </summary>
public sealed class SinkLedgerTests
{
    private static long Offset(TempStore t)
    {
        using var raw = t.Raw();
        return Make.Scalar(raw, "SELECT coalesce(max(byte_offset), -1) FROM sink_offsets WHERE sink = 'jsonl'");
    }

    private static long Keys(TempStore t)
    {
        using var raw = t.Raw();
        return Make.Scalar(raw, "SELECT count(*) FROM sink_ledger WHERE sink = 'jsonl'");
    }

    [Fact]
    public async Task AnAppendPastTheStoredOffset_IsWrittenWithTheNextCommit_AndAnsweredMeanwhile()
    {
        await using var t = await TempStore.OpenAsync();
        var ledger = t.Store.SinkLedger;
        await ledger.RecordAsync("jsonl", [], 100, default); // the sink's first offset: at once
        Assert.Equal((100L, 0L), (Offset(t), Keys(t)));

        await ledger.RecordAsync("jsonl", ["k1", "k2"], 300, default);
        await ledger.RecordAsync("jsonl", ["k3"], 400, default);

        Assert.Equal((100L, 0L), (Offset(t), Keys(t))); // held for the commit
        Assert.Equal(400, await ledger.GetOffsetAsync("jsonl", default));
        Assert.Equal(["k1", "k3"], (await ledger.FindWrittenAsync("jsonl", ["k1", "k3", "k9"], default)).Order(StringComparer.Ordinal));

        await t.Store.CommitAsync(Make.Commit(TempStore.Start, Make.Messages(5, 1, 3), new Checkpoint("updates", 3)), default);

        Assert.Equal((400L, 3L), (Offset(t), Keys(t)));
        Assert.Equal(["k1", "k3"], (await ledger.FindWrittenAsync("jsonl", ["k1", "k3", "k9"], default)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AnAppendNoCommitTakes_IsWrittenOnItsOwn_AfterAShortWait()
    {
        await using var t = await TempStore.OpenAsync();
        var ledger = t.Store.SinkLedger;
        await ledger.RecordAsync("jsonl", [], 100, default);
        await ledger.RecordAsync("jsonl", ["k1", "k2"], 300, default);
        Assert.Equal((100L, 0L), (Offset(t), Keys(t)));

        // Another sink retries its write of the batch: the commit does not come.
        t.Time.Advance(TimeSpan.FromSeconds(1));

        await Eventually.TrueAsync(() => Offset(t) == 300, "the held record written on its own", TimeSpan.FromSeconds(10));
        Assert.Equal(2L, Keys(t));
        Assert.Equal(["k1", "k2"], (await ledger.FindWrittenAsync("jsonl", ["k1", "k2"], default)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task HeldKeys_AreFoundWritten_WhileACommitThatTookThemFails()
    {
        await using var t = await TempStore.OpenAsync();
        var ledger = t.Store.SinkLedger;
        await ledger.RecordAsync("jsonl", [], 100, default);
        await ledger.RecordAsync("jsonl", [.. Enumerable.Range(0, 2_000).Select(i => $"k{i}")], 300, default);
        // The state store's disk is full: every commit fails, after it took what is held (and puts it back).
        using (var raw = t.Raw())
        {
            using var create = raw.CreateCommand();
            create.CommandText = "CREATE TRIGGER full BEFORE INSERT ON sink_offsets BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END";
            create.ExecuteNonQuery();
        }

        var (asked, missed) = (0, 0);
        for (var round = 0; round < 20; round++)
        {
            var commit = Task.Run(async () => await t.Store.CommitAsync(Make.Commit(TempStore.Start, Make.Messages(5, round * 100 + 1, 100)), default));
            // The sink, given the batch again, asks what it wrote while the commit runs.
            while (!commit.IsCompleted)
            {
                asked++;
                if ((await ledger.FindWrittenAsync("jsonl", ["k0"], default)).Count == 0) missed++;
            }
            await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => commit);
        }

        Assert.True(missed == 0, $"{missed} of {asked} answers said a held key was not written");
        Assert.Equal(300, await ledger.GetOffsetAsync("jsonl", default));
    }

    [Fact]
    public async Task AnOffsetThatGoesBack_IsWrittenAtOnce_AfterWhatIsHeld()
    {
        await using var t = await TempStore.OpenAsync();
        var ledger = t.Store.SinkLedger;
        await ledger.RecordAsync("jsonl", [], 100, default);
        await ledger.RecordAsync("jsonl", ["k1"], 300, default);

        await ledger.RecordAsync("jsonl", [], 0, default); // a new file after rotation

        Assert.Equal((0L, 1L), (Offset(t), Keys(t)));
        Assert.Equal(0, await ledger.GetOffsetAsync("jsonl", default));
    }

    [Fact]
    public async Task WhatIsHeld_IsWrittenWhenTheStoreCloses()
    {
        await using var t = await TempStore.OpenAsync();
        await t.Store.SinkLedger.RecordAsync("jsonl", [], 100, default);
        await t.Store.SinkLedger.RecordAsync("jsonl", ["k1"], 300, default);

        await t.ReopenAsync();

        Assert.Equal((300L, 1L), (Offset(t), Keys(t)));
        Assert.Single(await t.Store.SinkLedger.FindWrittenAsync("jsonl", ["k1"], default));
    }

    [Fact]
    public async Task AStoreOpenedAgain_HoldsAppendsPastTheOffsetItReads()
    {
        await using var t = await TempStore.OpenAsync();
        await t.Store.SinkLedger.RecordAsync("jsonl", [], 100, default);
        await t.ReopenAsync();
        Assert.Equal(100, await t.Store.SinkLedger.GetOffsetAsync("jsonl", default)); // as a sink does when it starts

        await t.Store.SinkLedger.RecordAsync("jsonl", ["k1"], 300, default);

        Assert.Equal((100L, 0L), (Offset(t), Keys(t)));
    }

    [Fact]
    public async Task AKeyCommittedWithTheSinkAmongThoseThatHaveIt_IsKeptOnce_AndFoundWrittenThroughTheProcessedKeys()
    {
        await using var t = await TempStore.OpenAsync();
        var ledger = t.Store.SinkLedger;
        await ledger.RecordAsync("jsonl", [], 100, default);
        var batch = Make.Messages(5, 1, 4);
        var keys = batch.Select(m => m.Key).ToArray();
        // The sink wrote the four; the commit says the first two went to it (and another sink), the third to another sink
        // only, and the fourth is not in this commit.
        await ledger.RecordAsync("jsonl", keys, 500, default);
        var committed = new[]
        {
            batch[0] with { Sinks = ["jsonl", "sqlite:m.db"] },
            batch[1] with { Sinks = ["jsonl"] },
            batch[2] with { Sinks = ["sqlite:m.db"] },
        };

        await t.Store.CommitAsync(Make.Commit(TempStore.Start, committed, new Checkpoint("updates", 3)), default);

        using (var raw = t.Raw())
        {
            Assert.Equal(500L, Offset(t));
            Assert.Equal(0L, Make.Scalar(raw, $"SELECT count(*) FROM sink_ledger WHERE key IN ('{keys[0]}', '{keys[1]}')"));
            Assert.Equal(2L, Keys(t)); // the third and the fourth: the commit does not say the sink has them
        }
        Assert.Equal(keys.Order(StringComparer.Ordinal), (await ledger.FindWrittenAsync("jsonl", [.. keys, "k9"], default)).Order(StringComparer.Ordinal));
        Assert.Empty(await ledger.FindWrittenAsync("sqlite:other.db", keys, default));

        // And so after the store is opened again (the processed keys' filter loaded from the file).
        await t.ReopenAsync();
        Assert.Equal(keys.Order(StringComparer.Ordinal), (await t.Store.SinkLedger.FindWrittenAsync("jsonl", [.. keys, "k9"], default)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AKeyProcessedBeforeSinksWereToldApart_IsFoundWrittenByEverySink()
    {
        await using var t = await TempStore.OpenAsync();
        var batch = Make.Messages(5, 1, 2);
        await t.Store.CommitAsync(Make.Commit(TempStore.Start, [batch[0] with { Sinks = null }, batch[1] with { Sinks = ["other"] }]), default);

        Assert.Equal([batch[0].Key], await t.Store.SinkLedger.FindWrittenAsync("jsonl", [batch[0].Key, batch[1].Key], default));
    }

    [Fact]
    public async Task KeysThePruneByCountDrops_StayInTheLedgerOfTheSinksThatHaveThem_ByAge()
    {
        await using var t = await TempStore.OpenAsync();
        var ledger = t.Store.SinkLedger;
        await ledger.RecordAsync("jsonl", [], 100, default); // the sink keeps a ledger (it has an offset)
        var batch = Make.Messages(5, 1, 3);
        await ledger.RecordAsync("jsonl", batch.Select(m => m.Key).ToArray(), 400, default);
        // Written by the JSONL sink (and another sink), by another sink only, and by every sink (no list).
        await t.Store.CommitAsync(Make.Commit(TempStore.Start, [batch[0] with { Sinks = ["jsonl", "other"] }, batch[1] with { Sinks = ["other"] }, batch[2] with { Sinks = null }]), default);
        Assert.Equal(1L, Keys(t)); // the second's: the commit does not say the JSONL sink has it

        Assert.Equal(3, await t.Store.PruneProcessedAsync(TempStore.Start - TimeSpan.FromDays(1), keepAtMost: 0, default));

        Assert.Equal(3L, Keys(t));
        Assert.Equal(batch.Select(m => m.Key).Order(StringComparer.Ordinal), (await ledger.FindWrittenAsync("jsonl", [.. batch.Select(m => m.Key)], default)).Order(StringComparer.Ordinal));
        Assert.Empty(await ledger.FindWrittenAsync("other", [.. batch.Select(m => m.Key)], default)); // no ledger of its own: its memory went with the keys
    }
}
