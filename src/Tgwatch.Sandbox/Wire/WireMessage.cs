using System.Text.Json.Nodes;

namespace Tgwatch.Sandbox.Wire;

/// <summary>
/// Bot API <c>Message</c> with the fields the sandbox fills. Declaration order is the order Telegram writes them;
/// absent (null) fields are left out of the JSON.
/// </summary>
internal sealed record WireMessage
{
    public required int MessageId { get; init; }

    public WireUser? From { get; init; }

    public WireChat? SenderChat { get; init; }

    public required long Date { get; init; }

    public required WireChat Chat { get; init; }

    public JsonObject? ForwardOrigin { get; init; }

    /// <summary>The replied message, itself without a <c>reply_to_message</c> (as Telegram nests one level only).</summary>
    public WireMessage? ReplyToMessage { get; init; }

    public long? EditDate { get; init; }

    public string? Text { get; init; }

    public IReadOnlyList<WirePhotoSize>? Photo { get; init; }

    public WireDocument? Document { get; init; }

    public string? Caption { get; init; }
}

/// <summary>Bot API <c>PhotoSize</c>.</summary>
internal sealed record WirePhotoSize(string FileId, string FileUniqueId, int Width, int Height, long FileSize);

/// <summary>Bot API <c>Document</c>.</summary>
internal sealed record WireDocument(string FileId, string FileUniqueId, string? FileName, string? MimeType, long FileSize);

/// <summary>Bot API <c>File</c>: what <c>getFile</c> answers.</summary>
internal sealed record WireFile(string FileId, string FileUniqueId, long FileSize, string FilePath);
