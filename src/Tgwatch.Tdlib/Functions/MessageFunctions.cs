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

/// <summary>
/// <c>getChatMessageByDate</c>: the last message sent in a chat no later than <paramref name="Date"/>; TDLib answers 404
/// when there is none (the date lies before the chat's first message).
/// </summary>
/// <param name="ChatId">The chat.</param>
/// <param name="Date">The point in time, in Unix seconds.</param>
public sealed record GetChatMessageByDate(long ChatId, int Date) : TdFunction;
