using Microsoft.Extensions.Logging;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Pipeline;

/// <summary>A run that writes only to files says that messages arrive: one line, for the first, by its ids.</summary>
public sealed class FirstMessageLogTests
{
    [Fact]
    public async Task EachRun_LogsItsFirstMessageOnce_ByChatAndMessageId_WithoutItsText()
    {
        using var logs = new CollectingLoggerProvider();
        var logger = logs.CreateLogger("Tgwatch.Pipeline");
        var store = new InMemoryStateStore();
        var first = SomeMessage.Batch(7, 3, chatId: -100555).Select(m => m with { Text = "a private word" }).ToList();
        await new MessagePipeline(ScriptedConnector.Of(first), [new CollectingSink()], store, PipelineFixture.FastOptions(), logger: logger).RunToEndAsync();
        var second = SomeMessage.Batch(10, 2, chatId: -100666);
        await new MessagePipeline(ScriptedConnector.Of([.. first, .. second]), [new CollectingSink()], store, PipelineFixture.FastOptions(), logger: logger).RunToEndAsync();

        var lines = logs.Entries.Where(e => e.EventId.Id == 3024).ToList();
        Assert.Equal(["First message received: chat -100555, message 7", "First message received: chat -100666, message 10"], lines.Select(e => e.Message));
        Assert.All(lines, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("private", StringComparison.Ordinal));
    }
}
