using System.Threading.Channels;
using Tgwatch.Connectors;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector.Feeds;

/// <summary>One chat: its bounded queue of live updates and the pump that delivers its stream in order.</summary>
internal sealed class ChatFeed(long chatId, int capacity)
{
    private readonly Channel<LiveItem> _live = Channel.CreateBounded<LiveItem>(new BoundedChannelOptions(capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full; nothing is dropped silently
    });
    private int _gap;
    private long? _last;
    private bool _noHistory;
    private long _firstLive = -1; // the server id of the first live message offered (written by the update loop only)

    public long ChatId { get; } = chatId;
    public string Stream { get; } = TdlibConnector.StreamOf(chatId);
    public Task? Pump { get; private set; }

    /// <summary>The position delivered (or committed) last; history is caught up from it.</summary>
    public void Anchor(long position)
    {
        if (_last is null || position > _last) _last = position;
        Volatile.Write(ref _gap, 1);
    }

    public void Start(IChatFeedOwner owner, CancellationToken ct)
    {
        lock (this) Pump ??= Task.Run(() => RunAsync(owner, ct), CancellationToken.None);
    }

    /// <summary>Queues a live update; when the queue is full a new message is left to the catch-up (false).</summary>
    public bool Offer(LiveItem item)
    {
        // A chat without a position catches up (after an overflow, a reconnection) from just before its first live message.
        if (item is LiveNew { Message: { IsServerMessage: true } first } && Volatile.Read(ref _firstLive) < 0)
            Volatile.Write(ref _firstLive, first.Message.MessageId);
        if (_live.Writer.TryWrite(item)) return true;
        // A new message comes back with the catch-up; a change (edit, deletion) is counted as not delivered.
        if (item is LiveNew) Volatile.Write(ref _gap, 1);
        return false;
    }

    public void RequestCatchUp()
    {
        Volatile.Write(ref _gap, 1);
        _live.Writer.TryWrite(CatchUp.Instance);
    }

    private async Task RunAsync(IChatFeedOwner owner, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                if (Interlocked.Exchange(ref _gap, 0) == 1) await CatchUpAsync(owner, ct).ConfigureAwait(false);
                if (!_live.Reader.TryRead(out var item))
                {
                    if (!await _live.Reader.WaitToReadAsync(ct).ConfigureAwait(false)) return;
                    continue;
                }
                switch (item)
                {
                    case LiveNew n:
                        await DeliverNewAsync(owner, n.Message, ct).ConfigureAwait(false);
                        break;
                    case LiveEdit e:
                        await DeliverEditAsync(owner, e.TdMessageId, ct).ConfigureAwait(false);
                        break;
                    case LiveDelete d:
                        foreach (var id in d.TdMessageIds)
                        {
                            if (!TdMessageIds.IsServerId(id)) continue;
                            var record = owner.Deleted(ChatId, id, d.When);
                            var position = await PositionForChangeAsync(owner, TdMessageIds.ToServerId(id), ct).ConfigureAwait(false);
                            await owner.WriteAsync(new Delivery(record, new Checkpoint(Stream, position)), ct).ConfigureAwait(false);
                        }
                        break;
                    case CatchUp:
                        Volatile.Write(ref _gap, 1);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            owner.Fail(e);
        }
    }

    private async Task DeliverNewAsync(IChatFeedOwner owner, TdMappedMessage m, CancellationToken ct)
    {
        if (!m.IsServerMessage)
        {
            Interlocked.Increment(ref owner.Stats.localSkipped);
            return;
        }
        var id = m.Message.MessageId;
        if (_last is { } last && id <= last)
        {
            Interlocked.Increment(ref owner.Stats.overlapsSkipped);
            return;
        }
        if (m.ReplyTo is { } reply) owner.RememberReply(reply, ChatId, m.TdMessageId);
        await owner.WriteAsync(new Delivery(m.Message, new Checkpoint(Stream, id)), ct).ConfigureAwait(false);
        _last = id;
    }

    /// <summary>
    /// The position a change (edit, deletion) of message <paramref name="changedId"/> is delivered at: the position
    /// delivered last; in a chat without one, where the chat is now (its newest message, or just before the first
    /// live message waiting behind), as a first start begins, and from then on the chat's position. The changed
    /// message's own id is no position: a restart would deliver the chat's history since that (old) message.
    /// </summary>
    private async ValueTask<long> PositionForChangeAsync(IChatFeedOwner owner, long changedId, CancellationToken ct)
    {
        if (_last is { } last) return last;
        var start = Math.Max(changedId, await owner.NewestServerIdAsync(ChatId, ct).ConfigureAwait(false));
        // The newest message may have come just now: its update, sent before the answer, must reach the chat first,
        // or it would be taken for history (and skipped) instead of delivered.
        await owner.UpdatesRoutedAsync(ct).ConfigureAwait(false);
        var firstLive = Volatile.Read(ref _firstLive);
        if (firstLive > 0) start = Math.Min(start, firstLive - 1);
        _last = start;
        return start;
    }

    private async Task DeliverEditAsync(IChatFeedOwner owner, long tdMessageId, CancellationToken ct)
    {
        if (!TdMessageIds.IsServerId(tdMessageId)) return;
        if (await owner.EditedAsync(ChatId, tdMessageId, ct).ConfigureAwait(false) is not { } m) return;
        if (m.ReplyTo is { } reply) owner.RememberReply(reply, ChatId, m.TdMessageId);
        // An edit does not move the stream: it sits at the position delivered last.
        var position = await PositionForChangeAsync(owner, m.Message.MessageId, ct).ConfigureAwait(false);
        await owner.WriteAsync(new Delivery(m.Message, new Checkpoint(Stream, position)), ct).ConfigureAwait(false);
    }

    /// <summary>Delivers the chat's history after the last position, oldest first, a page at a time (<see cref="HistoryPages"/>).</summary>
    private async Task CatchUpAsync(IChatFeedOwner owner, CancellationToken ct)
    {
        // No position yet: from just before the first live message, or live only when none came yet (or there is no history).
        var firstLive = Volatile.Read(ref _firstLive);
        if (_noHistory || (_last ?? (firstLive > 0 ? firstLive - 1 : null)) is not { } from) return;
        Interlocked.Increment(ref owner.Stats.catchUps);
        var pages = new HistoryPages(owner.HistoryAsync, ChatId, owner.HistoryPageSize);
        await foreach (var page in pages.AfterAsync(from, ct).ConfigureAwait(false))
        {
            foreach (var m in page)
            {
                if (_last is { } last && m.Message.MessageId <= last) continue;
                Interlocked.Increment(ref owner.Stats.historyMessages);
                await DeliverNewAsync(owner, m, ct).ConfigureAwait(false);
            }
        }
        // Refused for good (a bot has no getChatHistory; a chat left): told once, live from now on.
        if (pages.Refused) _noHistory = true;
    }
}
