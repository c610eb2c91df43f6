using Tgwatch.Connectors;
using Tgwatch.Connectors.File;
using Tgwatch.Core.Tests.Pipeline;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Connectors;

public sealed class JsonlFileConnectorTests
{
    [Fact]
    public async Task AnImport_GoesOnFromTheLastCommittedLine_SkipsBadLines_AndResolvesRepliesFromEarlierRecords()
    {
        var dir = Some.TempDirectory();
        var path = Path.Combine(dir, "archive.jsonl");
        var messages = SomeMessage.Batch(1, 10).ToList();
        messages[5] = messages[5] with { ReplyTo = new ReplyRef(messages[0].Chat.Id, 1, ReplyState.Unresolved) };
        var lines = messages.Select(m => TgMessageJson.ToJson(m)).ToList();
        lines.Insert(3, "{not json");
        lines.Insert(7, "");
        await File.WriteAllLinesAsync(path, lines);

        var store = new InMemoryStateStore();
        var first = new JsonlFileConnector(path);
        var sink = new CollectingSink();
        await new MessagePipeline(first, [sink], store, PipelineFixture.FastOptions()).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(10, sink.Keys.Count);
        Assert.Equal(1, first.BadLines);
        Assert.Equal(lines.Count, JsonlFileConnector.LineOf((await store.LoadCheckpointsAsync("file", "file", default))[first.Stream()]));
        Assert.Equal(new ReplyRef(messages[0].Chat.Id, 1, ReplyState.Resolved, "message 1"), sink.ByKey[messages[5].Key].ReplyTo);

        // Lines appended later are all that a second import delivers.
        await File.AppendAllLinesAsync(path, [TgMessageJson.ToJson(SomeMessage.New(11))]);
        var second = new JsonlFileConnector(path);
        var delivered = new List<Delivery>();
        await foreach (var d in second.ReadAsync(await store.LoadCheckpointsAsync("file", "file", default), default)) delivered.Add(d);
        Assert.Equal(11, Assert.Single(delivered).Message!.MessageId);
    }

    [Fact]
    public async Task AnUnfinishedLastLine_IsNotPassed_SoTheRecordIsImportedOnceItsLineIsComplete()
    {
        var dir = Some.TempDirectory();
        var path = Path.Combine(dir, "archive.jsonl");
        var messages = SomeMessage.Batch(1, 4);
        var lines = messages.Select(m => TgMessageJson.ToJson(m)).ToList();
        // The archive as a JSONL sink killed in the middle of a write leaves it: the fourth line is torn.
        await File.WriteAllTextAsync(path, string.Concat(lines.Take(3).Select(l => l + "\n")) + lines[3][..20]);

        var store = new InMemoryStateStore();
        var sink = new CollectingSink();
        var first = new JsonlFileConnector(path);
        await new MessagePipeline(first, [sink], store, PipelineFixture.FastOptions()).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(3, sink.Keys.Count);

        // The sink's repair cuts the torn line and writes the record again, whole.
        await File.WriteAllTextAsync(path, string.Concat(lines.Select(l => l + "\n")));
        var second = new JsonlFileConnector(path);
        await new MessagePipeline(second, [sink], store, PipelineFixture.FastOptions()).RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(messages.Select(m => m.Key), sink.Keys);
        Assert.Equal(0, first.BadLines + second.BadLines);
        Assert.Equal(4, JsonlFileConnector.LineOf((await store.LoadCheckpointsAsync("file", "file", default))[second.Stream()]));
    }

    [Fact]
    public async Task ALastRecordWithoutALineEnd_IsImported()
    {
        var dir = Some.TempDirectory();
        var path = Path.Combine(dir, "archive.jsonl");
        var messages = SomeMessage.Batch(1, 2);
        await File.WriteAllTextAsync(path, TgMessageJson.ToJson(messages[0]) + "\n" + TgMessageJson.ToJson(messages[1]));

        var delivered = new List<Delivery>();
        await foreach (var d in new JsonlFileConnector(path).ReadAsync(new Dictionary<string, long>(), default)) delivered.Add(d);

        Assert.Equal([1L, 2L], delivered.Select(d => d.Message!.MessageId));
        Assert.Equal(2, JsonlFileConnector.LineOf(delivered[^1].Position.Position));
    }

    [Fact]
    public async Task AnImportThatGoesOn_ResolvesRepliesToRecordsBeforeItsCheckpoint_AsAnImportInOneGoDoes()
    {
        var dir = Some.TempDirectory();
        var path = Path.Combine(dir, "archive.jsonl");
        var messages = SomeMessage.Batch(1, 6).ToList();
        messages[4] = messages[4] with { ReplyTo = new ReplyRef(messages[0].Chat.Id, 1, ReplyState.Unresolved) };
        await File.WriteAllLinesAsync(path, messages.Select(m => TgMessageJson.ToJson(m)));

        // A first import was killed after committing line 3; the next one goes on from line 4.
        var first = new List<Delivery>();
        await foreach (var d in new JsonlFileConnector(path).ReadAsync(new Dictionary<string, long>(), default)) first.Add(d);
        var connector = new JsonlFileConnector(path);
        var delivered = new List<Delivery>();
        await foreach (var d in connector.ReadAsync(new Dictionary<string, long> { [connector.Stream()] = first[2].Position.Position }, default)) delivered.Add(d);

        Assert.Equal([4L, 5L, 6L], delivered.Select(d => d.Message!.MessageId));
        Assert.Equal(ReplyResult.Resolved("message 1"), await connector.ResolveReplyAsync(new MessageRef(messages[0].Chat.Id, 1), default));
    }

    [Fact]
    public async Task AMissingFile_IsOneClearError()
    {
        var connector = new JsonlFileConnector("/nonexistent/archive.jsonl");
        var e = await Assert.ThrowsAsync<ConnectorException>(async () =>
        {
            await foreach (var _ in connector.ReadAsync(new Dictionary<string, long>(), default)) { }
        });
        Assert.StartsWith("cannot read /nonexistent/archive.jsonl", e.Message);
    }

    [Fact]
    public async Task ARecordWithAHugeText_IsDeliveredCut_AsAConnectorCutsWhatTheNetworkGives()
    {
        var dir = Some.TempDirectory();
        var path = Path.Combine(dir, "huge.jsonl");
        var huge = SomeMessage.New(1, new string('x', 3_000_000)) with { Media = new MediaInfo("photo", new string('c', 200_000)) };
        await File.WriteAllTextAsync(path, TgMessageJson.ToJson(huge) + "\n" + TgMessageJson.ToJson(SomeMessage.New(2)) + "\n");

        var delivered = new List<Delivery>();
        await foreach (var d in new JsonlFileConnector(path).ReadAsync(new Dictionary<string, long>(), default)) delivered.Add(d);

        var cut = delivered[0].Message!;
        Assert.Equal(new string('x', MessageText.MaxChars) + MessageText.Marker(3_000_000 - MessageText.MaxChars), cut.Text);
        Assert.EndsWith(MessageText.Marker(200_000 - MessageText.MaxChars), cut.Media!.Caption);
        Assert.Equal("hello", delivered[1].Message!.Text);
    }
}
