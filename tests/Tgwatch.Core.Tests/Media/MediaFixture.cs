using Microsoft.Extensions.Logging;
using Tgwatch.Core.Tests.Pipeline;
using Tgwatch.Media;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Media;

/// <summary>A pipeline with media downloads into a temp directory, from a scripted source.</summary>
internal sealed class MediaFixture : IDisposable
{
    public MediaFixture(string? directory = null)
    {
        Directory = directory ?? Some.TempDirectory("tgwatch-media");
    }

    public string Directory { get; }
    public ScriptedMediaSource Source { get; init; } = new();
    public InMemoryStateStore Store { get; } = new();
    public CollectingSink Sink { get; } = new();
    public CollectingLoggerProvider Logs { get; } = new();
    public Func<string, long?>? FreeSpace { get; set; }

    public MediaOptions Options(TimeSpan? retry = null) => new()
    {
        Directory = Directory,
        RetryDelay = retry ?? TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(40),
        DiskCheckInterval = TimeSpan.FromMilliseconds(50),
    };

    public MessagePipeline Pipeline(ScriptedConnector connector, MediaOptions? options = null) =>
        new(connector, [Sink], Store, PipelineFixture.FastOptions(), logger: Logs.CreateLogger("media"))
        {
            Media = FreeSpace is { } free ? new MediaDownloads(Source, options ?? Options()) { FreeSpace = free } : new MediaDownloads(Source, options ?? Options()),
        };

    public static TgMessage WithFile(long id, MediaFile file, string type = "photo", long chatId = -1001234567890) =>
        SomeMessage.New(id, text: null, chatId: chatId) with { Media = new MediaInfo(type, "caption") { File = file } };

    public IReadOnlyList<TgMessage> Updates => [.. Sink.Writes.Where(m => m.IsMediaUpdate)];

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}
