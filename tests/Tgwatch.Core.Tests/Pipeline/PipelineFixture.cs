using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>Fast options and shortcuts for pipeline tests.</summary>
internal static class PipelineFixture
{
    public static PipelineOptions FastOptions() => new()
    {
        MinBackoff = TimeSpan.FromMilliseconds(1),
        MaxBackoff = TimeSpan.FromMilliseconds(5),
        ReplyDeadline = TimeSpan.FromMilliseconds(300),
        ReplyRetryDelay = TimeSpan.FromMilliseconds(20),
        ReplyMaxDelay = TimeSpan.FromMilliseconds(50),
        HandlerTimeout = TimeSpan.FromSeconds(5),
        DrainTimeout = TimeSpan.FromSeconds(5),
        BatchSize = 16,
        Capacity = 64,
    };

    public static MessagePipeline Create(IConnector connector, IReadOnlyList<IMessageSink> sinks, InMemoryStateStore store,
        PipelineOptions? options = null, IReadOnlyList<IMessageFilter>? filters = null, IReadOnlyList<IMessageHandler>? handlers = null,
        TimeProvider? time = null) =>
        new(connector, sinks, store, options ?? FastOptions(), filters, handlers, time: time);

    /// <summary>Runs to the end of the connector's stream, within a test deadline.</summary>
    public static async Task RunToEndAsync(this MessagePipeline pipeline, int seconds = 30) =>
        await pipeline.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(seconds));

    public static IEnumerable<TgMessage> Chats(int chats, int perChat) =>
        Enumerable.Range(1, perChat).SelectMany(i => Enumerable.Range(1, chats).Select(c => SomeMessage.New(i, $"m{i}", chatId: -100 - c)));
}

/// <summary>A handler given as a delegate.</summary>
internal sealed class DelegateHandler(string name, Func<TgMessage, CancellationToken, ValueTask> handle) : IMessageHandler
{
    public string Name => name;

    public ValueTask HandleAsync(TgMessage message, CancellationToken ct) => handle(message, ct);
}
