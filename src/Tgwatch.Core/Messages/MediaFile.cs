namespace Tgwatch.Messages;

/// <summary>A file a message carries, as its connector names it.</summary>
/// <param name="Id">The connector's id to download it with: the Bot API's <c>file_id</c>, or TDLib's file id.</param>
/// <param name="UniqueId">Telegram's <c>file_unique_id</c>: the same for the same file in every message and chat.</param>
/// <param name="Size">Its size in bytes, when Telegram says.</param>
/// <param name="Extension">The extension to store it with, without the dot (<c>jpg</c>, <c>pdf</c>…), when known.</param>
public sealed record MediaFile(string Id, string UniqueId, long? Size = null, string? Extension = null)
{
    /// <summary>The extension of <paramref name="fileName"/> (lower case), else the usual one of the media type (<c>jpg</c>, <c>mp4</c>, <c>ogg</c>…).</summary>
    public static string ExtensionFor(string mediaType, string? fileName) =>
        Path.GetExtension(fileName) is { Length: > 1 } ext ? ext[1..].ToLowerInvariant() : mediaType switch
        {
            "photo" => "jpg",
            "video" or "animation" or "video_note" => "mp4",
            "audio" => "mp3",
            "voice" => "ogg",
            "sticker" => "webp",
            _ => "bin",
        };
}

/// <summary>The download of a message's file, as the JSONL contract writes it (<c>media.state</c>…).</summary>
/// <param name="State">Pending, done or failed.</param>
/// <param name="Path">Where the file is, once done.</param>
/// <param name="Size">Its size in bytes, once done.</param>
/// <param name="Sha256">SHA-256 of its bytes (lower-case hex), once done.</param>
/// <param name="Error">Why it failed, in one line.</param>
public sealed record MediaDownload(MediaState State, string? Path = null, long? Size = null, string? Sha256 = null, string? Error = null)
{
    /// <summary>A download waiting for its turn.</summary>
    public static MediaDownload Pending { get; } = new(MediaState.Pending);

    /// <summary>The JSON name of a state: pending, done, failed.</summary>
    public static string StateName(MediaState state) => state switch
    {
        MediaState.Pending => "pending",
        MediaState.Done => "done",
        MediaState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}

/// <summary>Where a message's file download stands.</summary>
public enum MediaState
{
    /// <summary>Not downloaded yet (JSON <c>"pending"</c>); a later record of the message says how it ended.</summary>
    Pending,

    /// <summary>Downloaded and verified (JSON <c>"done"</c>).</summary>
    Done,

    /// <summary>Not downloaded, for the reason in <see cref="MediaDownload.Error"/> (JSON <c>"failed"</c>).</summary>
    Failed,
}
