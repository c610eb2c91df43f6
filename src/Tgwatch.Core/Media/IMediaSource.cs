using Tgwatch.Messages;

namespace Tgwatch.Media;

/// <summary>Where a connector's files are downloaded from (the Bot API's <c>getFile</c>, TDLib's <c>downloadFile</c>).</summary>
public interface IMediaSource
{
    /// <summary>The largest file it can download (the Bot API: 20 MB), or null for no limit of its own.</summary>
    long? MaxFileSize { get; }

    /// <summary>Writes the bytes of <paramref name="file"/> to <paramref name="destination"/>.</summary>
    /// <exception cref="MediaUnavailableException">The file cannot be had, now or later (gone, too big): no retry.</exception>
    ValueTask DownloadAsync(MediaFile file, Stream destination, CancellationToken ct);

    /// <summary>The downloads under way and the bytes they have so far, where the source can tell before a file is written (TDLib's <c>updateFile</c>); none otherwise.</summary>
    MediaInFlight InFlight => default;
}

/// <summary>Downloads under way at one moment.</summary>
/// <param name="Files">How many.</param>
/// <param name="Bytes">The bytes they have so far.</param>
/// <param name="Total">Their sizes, as far as known.</param>
public readonly record struct MediaInFlight(int Files, long Bytes, long Total);

/// <summary>A file that cannot be downloaded, now or later; its message says why, in one line.</summary>
public sealed class MediaUnavailableException : Exception
{
    /// <summary>Creates one.</summary>
    public MediaUnavailableException(string message) : base(message) { }

    /// <summary>Creates one with its cause.</summary>
    public MediaUnavailableException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates one.</summary>
    public MediaUnavailableException() { }
}
