using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>
/// Dedup is per sink: a message processed before reaches a sink that does not have it yet when it is delivered again
/// (an import of the JSONL another sink wrote, say), while no sink gets it twice and handlers run once per key.
/// </summary>
public sealed class SinkAddedLaterTests
{
    private static ScriptedConnector Again(IEnumerable<TgMessage> messages, string stream) =>
        new(messages.Select((m, i) => new Delivery(m, new Checkpoint(stream, i + 1))));

    [Fact]
    public async Task ASinkAddedLater_GetsEveryRecordTheOthersHad_WhenTheyComeAgain_AndHandlersDoNotRunAgain()
    {
        var messages = SomeMessage.Batch(1, 30);
        var store = new InMemoryStateStore();
        var calls = 0;
        var handler = new DelegateHandler("count", (_, _) => { Interlocked.Increment(ref calls); return ValueTask.CompletedTask; });
        var a = new CollectingSink("jsonl:/data/messages.jsonl");
        var first = PipelineFixture.Create(ScriptedConnector.Of(messages), [a], store, handlers: [handler]);
        await first.RunToEndAsync();
        Assert.Equal(30, Assert.Single(first.Stats.Sinks).Written);

        // The same records again (an import of what the first sink wrote), now with a second sink.
        var b = new CollectingSink("sqlite:/data/new.db");
        var second = PipelineFixture.Create(Again(messages, "file"), [a, b], store, handlers: [handler]);
        await second.RunToEndAsync();

        Assert.Equal(messages.Select(m => m.Key), b.Keys);
        Assert.Equal(30, a.Writes.Count);
        Assert.Equal(30, calls);
        Assert.Equal(0, second.Stats.Duplicates);
        Assert.Equal(30, second.Stats.CaughtUp);
        // Counted for the sink that got them only.
        Assert.Equal([("jsonl:/data/messages.jsonl", 0L, false), ("sqlite:/data/new.db", 30L, false)], second.Stats.Sinks.Select(s => (s.Name, s.Written, s.Failing)));

        // A third time: both have everything.
        var third = PipelineFixture.Create(Again(messages, "file2"), [a, b], store, handlers: [handler]);
        await third.RunToEndAsync();
        Assert.Equal(30, b.Writes.Count);
        Assert.Equal(30, a.Writes.Count);
        Assert.Equal(30, third.Stats.Duplicates);
        Assert.Equal(30, calls);
    }

    [Fact]
    public async Task ASinkLeftOutOfSomeRuns_GetsWhatItMissed_AndNothingItHad()
    {
        var first = SomeMessage.Batch(1, 10);
        var later = SomeMessage.Batch(11, 10);
        var store = new InMemoryStateStore();
        var (a, b) = (new CollectingSink("a"), new CollectingSink("b"));
        await PipelineFixture.Create(ScriptedConnector.Of(first), [a, b], store).RunToEndAsync();
        await PipelineFixture.Create(Again(later, "s2"), [a], store).RunToEndAsync();

        await PipelineFixture.Create(Again(first.Concat(later), "s3"), [a, b], store).RunToEndAsync();

        Assert.Equal(first.Concat(later).Select(m => m.Key), b.Keys);
        Assert.Equal(20, a.Writes.Count);
    }
}
