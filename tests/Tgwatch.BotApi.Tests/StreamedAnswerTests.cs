using System.Text;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.BotApi.Tests;

/// <summary>
/// An answer read as it streams in: its list of updates may be whole in the reader's buffer before the end of the answer
/// is known (an answer that fills the buffer exactly). An update that cannot be read, or one of a kind not monitored,
/// still costs only itself then.
/// </summary>
public sealed class StreamedAnswerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly CollectingLoggerProvider _logs = new();

    /// <summary>The size of the buffer System.Text.Json first reads an answer into.</summary>
    private const int ReadBuffer = 16 * 1024;

    private static string Text(long updateId, int messageId, string text) =>
        $$$"""{"update_id": {{{updateId}}}, "message": {"message_id": {{{messageId}}}, "date": 1764064801, "chat": {"id": 1001, "type": "private", "first_name": "Ada"}, "text": "{{{text}}}"}}""";

    [Theory]
    [InlineData("""{"update_id": 2, "message": "not a message"}""", 1, 0)]
    [InlineData("""{"update_id": 2, "message": {"message_id": {"nested": [1, {"deep": "x"}]}, "date": 1, "chat": {"id": 1, "type": "private"}}}""", 1, 0)]
    [InlineData("""{"update_id": 2, "message_reaction": {"chat": {"id": 1, "type": "private"}, "message_id": 1, "date": 1764064801, "old_reaction": [], "new_reaction": []}}""", 0, 1)]
    [InlineData("""{"update_id": 2, "sandbox_unknown_update": {"x": 1}}""", 0, 1)]
    [InlineData("\"not an update\"", 1, 0)]
    public async Task AnUpdateNotDelivered_InAnAnswerThatFillsTheReadBufferExactly_CostsOnlyItself(string odd, int malformed, int skipped)
    {
        // The first update's text is padded so that the whole answer (as ScriptedBotApi writes it) is the buffer's size:
        // the list is whole in the buffer while the answer's end has not been read yet.
        var rest = "," + odd + "," + Text(3, 3, "after");
        var frame = """{"ok":true,"result":[""".Length + "]}".Length + Text(1, 1, "").Length + Encoding.UTF8.GetByteCount(rest);
        var before = "before" + new string('x', ReadBuffer - frame - "before".Length);
        var api = new ScriptedBotApi()
            .Update(1, Text(1, 1, before))
            .Update(2, odd)
            .Update(3, Text(3, 3, "after"));
        // As in production: through the bound on answers.
        using var http = new HttpClient(new AnswerCapHandler(api, 1 << 20));
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        await using var connector = new BotApiConnector(new BotApiOptions
        {
            Token = ScriptedBotApi.Token,
            ApiUrl = new Uri("http://scripted.invalid/"),
            PollTimeout = TimeSpan.FromSeconds(2),
            MinBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(400),
            EmptyPollFloor = TimeSpan.FromMilliseconds(300),
        }, _logs.CreateLogger("Tgwatch.BotApi"), http: http);
        var pipeline = new MessagePipeline(connector, [sink], store, new PipelineOptions { MinBackoff = TimeSpan.FromMilliseconds(1), DrainTimeout = TimeSpan.FromSeconds(2) });
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => sink.Keys.Count >= 2, "both messages", TimeSpan.FromSeconds(10), running: run);
        await stop.CancelAsync();
        await run.WaitAsync(Patience);

        Assert.Equal([before, "after"], sink.Writes.Select(m => m.Text));
        Assert.True(connector.Stats.Malformed >= malformed && (malformed > 0 || connector.Stats.Malformed == 0), $"malformed {connector.Stats.Malformed}");
        Assert.Equal(skipped, connector.Stats.SkippedUpdates);
        Assert.Equal(3, (await store.LoadCheckpointsAsync(connector.Account, "botapi", default))["updates"]);
    }
}
