using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Storage;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

public sealed class DeadLetterReplayerTests
{
    private static NewDeadLetter Letter(TgMessage m, string stage) =>
        new(m.Key, stage, TgMessageJson.ToJson(m, full: true), FaultKind.Bug, "System.InvalidOperationException", "boom\n   at X", 3, SomeMessage.Date);

    [Fact]
    public async Task LettersThatGoThrough_AreRemoved_FailuresStayWithTheNewError_UnconfiguredOnesAreLeftAlone()
    {
        var store = new InMemoryStateStore();
        var (m1, m2, m3, m4) = (SomeMessage.New(1), SomeMessage.New(2), SomeMessage.New(3), SomeMessage.New(4));
        await store.DeadLetters.AddAsync(Letter(m1, "sink:archive"), default);
        await store.DeadLetters.AddAsync(Letter(m2, "handler:notify"), default);
        await store.DeadLetters.AddAsync(Letter(m3, "handler:notify"), default);
        await store.DeadLetters.AddAsync(Letter(m4, "sink:gone"), default);
        var sink = new CollectingSink("archive");
        var handled = new List<long>();
        var handler = new DelegateHandler("notify", (m, _) =>
        {
            handled.Add(m.MessageId);
            return m.MessageId == 3 ? throw new TimeoutException("still down") : ValueTask.CompletedTask;
        });

        var report = await new DeadLetterReplayer(store, [sink], [handler]).ReplayAsync(null, default);

        Assert.Equal((2, 1, 1), (report.Replayed, report.Failed, report.Skipped));
        Assert.Equal([m1.Key], sink.Keys);
        Assert.Equal([2L, 3L], handled);
        var left = await store.DeadLetters.ListAsync(10, 0, default);
        Assert.Equal([m3.Key, m4.Key], left.Select(l => l.Letter.Key).Order());
        var again = left.Single(l => l.Letter.Key == m3.Key).Letter;
        Assert.Equal((FaultKind.Timeout, 4), (again.Fault, again.Attempts));
        Assert.Contains("still down", again.Error);
    }

    [Fact]
    public async Task OneLetterById()
    {
        var store = new InMemoryStateStore();
        var first = await store.DeadLetters.AddAsync(Letter(SomeMessage.New(1), "sink:archive"), default);
        await store.DeadLetters.AddAsync(Letter(SomeMessage.New(2), "sink:archive"), default);
        var sink = new CollectingSink("archive");
        var report = await new DeadLetterReplayer(store, [sink], []).ReplayAsync(first, default);
        Assert.Equal(1, report.Replayed);
        Assert.Equal(1, await store.DeadLetters.CountAsync(default));
        Assert.Equal([SomeMessage.New(1).Key], sink.Keys);
    }
}
