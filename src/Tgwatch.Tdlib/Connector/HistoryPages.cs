using System.Runtime.CompilerServices;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector;

/// <summary>
/// A chat's history after a position, oldest first, a page at a time: how a chat catches up (<see cref="Feeds.ChatFeed"/>)
/// and how an export reads its range (<see cref="Export.HistoryExport"/>), one way for both. A <c>getChatHistory</c> page
/// is a contiguous slice of history (newest first) around <c>from_message_id</c>, but TDLib chooses how many messages it
/// holds: when a page reaches no message at or below the position, what lies between is read backwards before the page
/// is given out, so no stretch is skipped however short TDLib cuts its pages.
/// </summary>
/// <param name="history">One <c>getChatHistory</c> call: the server messages of the page, null when TDLib refuses the chat's history.</param>
/// <param name="chatId">The chat.</param>
/// <param name="size">Messages asked for per call (at most 100).</param>
internal sealed class HistoryPages(HistoryPages.Source history, long chatId, int size)
{
    /// <summary>One <c>getChatHistory</c> call (see <see cref="Functions.GetChatHistory"/>); null when TDLib refuses the chat's history.</summary>
    public delegate Task<List<TdMappedMessage>?> Source(long chatId, long fromTdId, int offset, int limit, CancellationToken ct);

    /// <summary>TDLib refused the chat's history for good (a bot has no <c>getChatHistory</c>; a chat left).</summary>
    public bool Refused { get; private set; }

    /// <summary>
    /// The messages newer than <paramref name="from"/> (a server id; 0: from the chat's first message), a page at a time,
    /// each page oldest first and newer than the one before; ends when nothing newer is left (or the history is refused).
    /// A consumer that stops between pages sends no further request.
    /// </summary>
    public async IAsyncEnumerable<List<TdMappedMessage>> AfterAsync(long from, [EnumeratorCancellation] CancellationToken ct)
    {
        while (true)
        {
            // 0 would mean "from the newest"; 1 sits below every server message.
            var page = await history(chatId, from == 0 ? 1 : TdMessageIds.FromServerId(from), -(size - 1), size, ct).ConfigureAwait(false);
            if (page is null)
            {
                Refused = true;
                yield break;
            }
            var newer = page.Where(m => m.Message.MessageId > from).ToList();
            if (newer.Count == 0)
            {
                // TDLib may have cut the page at its newer end: only the newest messages tell whether anything is newer.
                page = await history(chatId, 0, 0, size, ct).ConfigureAwait(false);
                if (page is null) yield break;
                newer = page.Where(m => m.Message.MessageId > from).ToList();
                if (newer.Count == 0) yield break;
            }
            if (!page.Any(m => m.Message.MessageId <= from))
            {
                // The page starts above the position: fill the stretch below it, walking back until the position is reached.
                var floor = newer.Min(m => m.TdMessageId);
                while (TdMessageIds.ToServerId(floor) - 1 > from)
                {
                    // From the server id just below the floor: a page TDLib cuts to one message still goes down.
                    var below = await history(chatId, TdMessageIds.FromServerId(TdMessageIds.ToServerId(floor) - 1), 0, size, ct).ConfigureAwait(false);
                    var fill = below?.Where(m => m.TdMessageId < floor && m.Message.MessageId > from).ToList() ?? [];
                    newer.AddRange(fill);
                    if (fill.Count == 0 || below!.Any(m => m.Message.MessageId <= from)) break;
                    floor = fill.Min(m => m.TdMessageId);
                }
            }
            newer.Sort((a, b) => a.Message.MessageId.CompareTo(b.Message.MessageId));
            yield return newer;
            from = Math.Max(from, newer[^1].Message.MessageId);
        }
    }
}
