using System.Text.Json.Serialization;

namespace Tgwatch.Tdlib.Functions;

/// <summary>
/// <c>getChatHistory</c>: a contiguous slice of a chat's history, newest first, around <paramref name="FromMessageId"/>
/// (TDLib decides how many messages it holds, at most <paramref name="Limit"/>).
/// </summary>
/// <param name="ChatId">The chat.</param>
/// <param name="FromMessageId">The TDLib message id to start from; 0: the newest message.</param>
/// <param name="Offset">Messages newer than <paramref name="FromMessageId"/> to include, as a negative number (-99 to 0).</param>
/// <param name="Limit">The most messages returned (1 to 100; at least -<paramref name="Offset"/>).</param>
/// <param name="OnlyLocal">Only messages TDLib has without asking the server.</param>
public sealed record GetChatHistory(long ChatId, long FromMessageId, int Offset, int Limit, bool OnlyLocal) : TdFunction;

/// <summary><c>getMessage</c>.</summary>
/// <param name="ChatId">The chat.</param>
/// <param name="MessageId">The TDLib message id.</param>
public sealed record GetMessage(long ChatId, long MessageId) : TdFunction;

/// <summary><c>getRepliedMessage</c>: the message a message replies to.</summary>
/// <param name="ChatId">The chat of the replying message.</param>
/// <param name="MessageId">The TDLib id of the replying message.</param>
public sealed record GetRepliedMessage(long ChatId, long MessageId) : TdFunction;

/// <summary><c>sendMessage</c> (no topic, no reply, default options, no markup): TDLib answers at once with the message as it is being sent.</summary>
/// <param name="ChatId">The chat.</param>
/// <param name="InputMessageContent">What to send.</param>
public sealed record SendMessage(long ChatId, InputMessageContent InputMessageContent) : TdFunction;

/// <summary>
/// <c>forwardMessages</c> (no topic, default options): TDLib answers at once with the messages as they are being sent, null in
/// place of one it cannot forward.
/// </summary>
/// <param name="ChatId">The chat to forward into.</param>
/// <param name="FromChatId">The chat of the messages.</param>
/// <param name="MessageIds">Their TDLib ids, in increasing order.</param>
/// <param name="SendCopy">Copy the content without a reference to the original sender.</param>
/// <param name="RemoveCaption">Leave the captions of copies out.</param>
public sealed record ForwardMessages(long ChatId, long FromChatId, IReadOnlyList<long> MessageIds, bool SendCopy, bool RemoveCaption) : TdFunction;

/// <summary><c>deleteMessages</c>; a message still being sent is not sent at all.</summary>
/// <param name="ChatId">The chat.</param>
/// <param name="MessageIds">The TDLib ids.</param>
/// <param name="Revoke">Delete for everyone.</param>
public sealed record DeleteMessages(long ChatId, IReadOnlyList<long> MessageIds, bool Revoke) : TdFunction;

/// <summary><c>InputMessageContent</c>: the content of a message to send.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "@type")]
[JsonDerivedType(typeof(InputMessageText), "inputMessageText")]
public abstract record InputMessageContent
{
    private protected InputMessageContent()
    {
    }
}

/// <summary><c>inputMessageText</c>: plain text (no entities), the link preview off.</summary>
/// <param name="Text">The text.</param>
public sealed record InputMessageText(FormattedText Text) : InputMessageContent
{
    /// <summary>No link preview.</summary>
    public LinkPreviewOptions LinkPreviewOptions { get; init; } = new(IsDisabled: true);
}

/// <summary><c>formattedText</c> without entities (TDLib reads a missing field as its empty value): plain text.</summary>
/// <param name="Text">The text.</param>
public sealed record FormattedText(string Text);

/// <summary><c>linkPreviewOptions</c>.</summary>
/// <param name="IsDisabled">No preview.</param>
public sealed record LinkPreviewOptions(bool IsDisabled);
/// <summary>
/// <c>getChatMessageByDate</c>: the last message sent in a chat no later than <paramref name="Date"/>; TDLib answers 404
/// when there is none (the date lies before the chat's first message).
/// </summary>
/// <param name="ChatId">The chat.</param>
/// <param name="Date">The point in time, in Unix seconds.</param>
public sealed record GetChatMessageByDate(long ChatId, int Date) : TdFunction;
