using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Messages;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>Sinks get messages of different chats in the order the connector delivered them, not chat by chat.</summary>
public sealed class IntakeOrderTests
{
    [Fact]
    public async Task MessagesOfManyChats_ReachTheSinksInTheOrderTheyCameIn_ThoughTheirChatsAreProcessedInParallel()
    {
        // Chats that take turns, as people write; the workers of some chats are slower than others.
        var messages = PipelineFixture.Chats(chats: 6, perChat: 30).ToList();
        var handler = new DelegateHandler("uneven", async (m, ct) =>
        {
            if (m.Chat.Id % 3 == 0) await Task.Delay(2, ct);
        });
        var sink = new CollectingSink();
        var options = PipelineFixture.FastOptions();
        options.Parallelism = 4;
        options.OrderWindow = TimeSpan.FromSeconds(30); // longer than any worker takes, even on a loaded machine
        await PipelineFixture.Create(ScriptedConnector.Of(messages), [sink], new InMemoryStateStore(), options, handlers: [handler]).RunToEndAsync();

        Assert.Equal(messages.Select(m => m.Key), sink.Keys);
    }

    [Fact]
    public async Task AChatHeldUpInItsHandler_HoldsTheOthersBackNoLongerThanTheOrderWindow()
    {
        var first = SomeMessage.New(1, chatId: -1);
        var others = Enumerable.Range(2, 5).Select(i => SomeMessage.New(i, chatId: -2)).ToList();
        var release = new TaskCompletionSource();
        var handled = 0;
        var handler = new DelegateHandler("gate", async (m, ct) =>
        {
            if (m.Chat.Id == -1) await release.Task.WaitAsync(ct);
            else Interlocked.Increment(ref handled);
        });
        var sink = new CollectingSink();
        var options = PipelineFixture.FastOptions();
        options.Parallelism = 2;
        options.OrderWindow = TimeSpan.FromMilliseconds(300);
        var time = new FakeTimeProvider(SomeMessage.Date);
        var run = PipelineFixture.Create(ScriptedConnector.Of([first, .. others]), [sink], new InMemoryStateStore(), options, handlers: [handler], time: time).RunToEndAsync();

        await Eventually.TrueAsync(() => Volatile.Read(ref handled) == 5, "the other chat's five messages through their handler");
        var held = await Eventually.OnClockAsync(time, TimeSpan.FromMilliseconds(10), () => sink.Keys.Count == 5, "the other chat's five messages written", TimeSpan.FromSeconds(5));
        Assert.InRange(held, options.OrderWindow, TimeSpan.FromSeconds(5));
        release.SetResult();
        await run;
        Assert.Equal([.. others.Select(m => m.Key), first.Key], sink.Keys);
    }

    [Fact]
    public async Task WithoutAnOrderWindow_NothingIsHeldBack()
    {
        var first = SomeMessage.New(1, chatId: -1);
        var others = Enumerable.Range(2, 5).Select(i => SomeMessage.New(i, chatId: -2)).ToList();
        var release = new TaskCompletionSource();
        var handler = new DelegateHandler("gate", async (m, ct) =>
        {
            if (m.Chat.Id == -1) await release.Task.WaitAsync(ct);
        });
        var sink = new CollectingSink();
        var options = PipelineFixture.FastOptions();
        options.Parallelism = 2;
        options.OrderWindow = TimeSpan.Zero;
        // A clock that never moves: nothing may wait on it.
        var time = new FakeTimeProvider(SomeMessage.Date);
        var run = PipelineFixture.Create(ScriptedConnector.Of([first, .. others]), [sink], new InMemoryStateStore(), options, handlers: [handler], time: time).RunToEndAsync();

        // Held back by an order window, they would wait on a clock that never moves: never written.
        await Eventually.TrueAsync(() => sink.Keys.Count == 5, "the other chat's five messages written");
        release.SetResult();
        await run;
    }

    [Fact]
    public void ANegativeOrderWindow_IsRefusedWithALineNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => new Tgwatch.Pipeline.PipelineOptions { OrderWindow = TimeSpan.FromSeconds(-1) }.Validate());
        Assert.Contains("OrderWindow", e.Message);
    }
}
