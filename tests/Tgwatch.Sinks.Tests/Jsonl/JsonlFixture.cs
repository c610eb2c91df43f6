using System.Text;
using Tgwatch.Messages;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Jsonl;

/// <summary>A temp directory, a state store and a logger for JSONL sink tests.</summary>
internal sealed class JsonlFixture : IDisposable
{
    public JsonlFixture()
    {
        Directory = Some.TempDirectory("tgwatch-jsonl");
        PathName = System.IO.Path.Combine(Directory, "out.jsonl");
    }

    public string Directory { get; }

    public string PathName { get; }

    public InMemoryStateStore Store { get; } = new();

    public TestLogging Logs { get; } = new();

    public JsonlSinkOptions Options => new() { Path = PathName };

    public string SinkName => Options.SinkName;

    public async Task<JsonlSink> StartAsync(JsonlSinkOptions? options = null)
    {
        var sink = new JsonlSink(options ?? Options, Store.SinkLedger, Logs.For<JsonlSink>());
        await sink.StartAsync(CancellationToken.None);
        return sink;
    }

    public async Task WriteOnceAsync(params IReadOnlyList<TgMessage>[] batches)
    {
        await using var sink = await StartAsync();
        foreach (var batch in batches) await sink.WriteAsync(batch, CancellationToken.None);
    }

    public byte[] Bytes => File.ReadAllBytes(PathName);

    public string Text => Encoding.UTF8.GetString(Bytes);

    /// <summary>The file's lines (the text after the last line end is not a line).</summary>
    public IReadOnlyList<string> Lines => Text.Split('\n')[..^1];

    public IReadOnlyList<string> Keys => [.. Lines.Select(l => TgMessageJson.Parse(l).Key)];

    public static byte[] Line(TgMessage message) => [.. TgMessageJson.ToUtf8(message), (byte)'\n'];

    public void Dispose()
    {
        Logs.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
