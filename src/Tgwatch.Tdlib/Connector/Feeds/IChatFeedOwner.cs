using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector.Feeds;

/// <summary>What a <see cref="ChatFeed"/> needs of its connector: TDLib's answers about its chat, and the stream it delivers into.</summary>
internal interface IChatFeedOwner
{
    /// <summary>The connector's counters.</summary>
    TdlibConnectorStats Stats { get; }

    /// <summary>Messages asked for per <c>getChatHistory</c> call.</summary>
    int HistoryPageSize { get; }

    /// <summary>One <c>getChatHistory</c> call: the server messages of the page (null when TDLib refuses the chat's history).</summary>
    Task<List<TdMappedMessage>?> HistoryAsync(long chatId, long fromTdId, int offset, int limit, CancellationToken ct);

    /// <summary>An edited message read again; null when TDLib refuses it or it cannot be read.</summary>
    Task<TdMappedMessage?> EditedAsync(long chatId, long tdMessageId, CancellationToken ct);

    /// <summary>The server id of the chat's newest message now, 0 when it has none or TDLib does not say.</summary>
    Task<long> NewestServerIdAsync(long chatId, CancellationToken ct);

    /// <summary>Waits until every update TDLib sent before now has been handed to its chat.</summary>
    Task UpdatesRoutedAsync(CancellationToken ct);

    /// <summary>The record of a message deleted for good.</summary>
    TgMessage Deleted(long chatId, long tdMessageId, DateTimeOffset when);

    /// <summary>Remembers which message of the chat replies to <paramref name="reply"/> (for <c>getRepliedMessage</c>).</summary>
    void RememberReply(MessageRef reply, long chatId, long tdMessageId);

    /// <summary>Hands a delivery to the pipeline; waits while the output is full.</summary>
    ValueTask WriteAsync(Delivery delivery, CancellationToken ct);

    /// <summary>Ends the stream with an error the run cannot get past.</summary>
    void Fail(Exception e);
}
