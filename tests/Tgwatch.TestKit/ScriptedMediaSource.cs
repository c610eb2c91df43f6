using System.Collections.Concurrent;
using Tgwatch.Media;
using Tgwatch.Messages;

namespace Tgwatch.TestKit;

/// <summary>An <see cref="IMediaSource"/> serving bytes by file id, with a hook to fail or stall a download, counting downloads per file.</summary>
public sealed class ScriptedMediaSource(long? maxFileSize = null) : IMediaSource
{
    private readonly ConcurrentDictionary<string, int> _downloads = new(StringComparer.Ordinal);
    private int _downloadingNow, _mostDownloading;

    /// <inheritdoc />
    public long? MaxFileSize { get; } = maxFileSize;

    /// <summary>The bytes of each file, by file id.</summary>
    public ConcurrentDictionary<string, byte[]> Files { get; } = new(StringComparer.Ordinal);

    /// <summary>Runs before each download (with its number for that file, from 1): throw to fail it, wait to stall it.</summary>
    public Func<MediaFile, int, CancellationToken, ValueTask>? BeforeDownload { get; set; }

    /// <summary>Downloads started, by file id.</summary>
    public int DownloadsOf(string fileId) => _downloads.GetValueOrDefault(fileId);

    /// <summary>Downloads started and not yet ended.</summary>
    public int Downloading => Volatile.Read(ref _downloadingNow);

    /// <summary>The most downloads that were in flight at once.</summary>
    public int MostDownloading => Volatile.Read(ref _mostDownloading);

    /// <summary>Every download started.</summary>
    public int Downloads => _downloads.Values.Sum();

    /// <summary>A media file of <paramref name="size"/> bytes served under <paramref name="id"/> (unique id <c>u-ID</c>).</summary>
    public MediaFile Add(string id, int size, string ext = "jpg")
    {
        var bytes = new byte[size];
        new Random(id.GetHashCode(StringComparison.Ordinal)).NextBytes(bytes);
        Files[id] = bytes;
        return new MediaFile(id, "u-" + id, size, ext);
    }

    /// <inheritdoc />
    public async ValueTask DownloadAsync(MediaFile file, Stream destination, CancellationToken ct)
    {
        var n = _downloads.AddOrUpdate(file.Id, 1, (_, c) => c + 1);
        var now = Interlocked.Increment(ref _downloadingNow);
        for (var most = MostDownloading; now > most && Interlocked.CompareExchange(ref _mostDownloading, now, most) != most; most = MostDownloading) { }
        try
        {
            if (BeforeDownload is { } before) await before(file, n, ct);
            if (!Files.TryGetValue(file.Id, out var bytes)) throw new MediaUnavailableException("not found: the file is gone");
            await destination.WriteAsync(bytes, ct);
        }
        finally
        {
            Interlocked.Decrement(ref _downloadingNow);
        }
    }
}
