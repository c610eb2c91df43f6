using System.Collections.Concurrent;

namespace Tgwatch.Tdlib.Connector.Feeds;

/// <summary>
/// The chats' feeds of one read: which chats are watched, where each starts, and whose pumps run. Before the watched
/// chats are known every chat that sends updates is held (bounded); once started, only watched ones.
/// </summary>
internal sealed class ChatFeeds(IChatFeedOwner owner, int liveQueueCapacity, bool everyChat)
{
    private readonly ConcurrentDictionary<long, ChatFeed> _feeds = new();
    private readonly HashSet<long> _watched = [];
    private IReadOnlyDictionary<string, long> _committed = new Dictionary<string, long>();
    private volatile bool _started;
    private CancellationToken _run;

    /// <summary>The feeds held now.</summary>
    public int Count => _feeds.Count;

    /// <summary>A new read: the positions committed so far; pumps started from now on run until <paramref name="run"/> is cancelled.</summary>
    public void Begin(IReadOnlyDictionary<string, long> committed, CancellationToken run)
    {
        _committed = committed;
        _run = run;
    }

    /// <summary>The position committed for the chat by an earlier run.</summary>
    public bool TryGetCommitted(long chatId, out long position) => _committed.TryGetValue(TdlibConnector.StreamOf(chatId), out position);

    /// <summary>A chat to watch, and its feed.</summary>
    public ChatFeed Watch(long chatId)
    {
        lock (_watched) _watched.Add(chatId);
        return FeedOf(chatId, create: true)!;
    }

    /// <summary>Every chat is watched: those with a position from an earlier run catch up from it.</summary>
    public void AnchorCommitted()
    {
        foreach (var (stream, position) in _committed)
            if (TdlibConnector.TryChatOf(stream, out var chatId)) FeedOf(chatId, create: true)!.Anchor(position);
    }

    /// <summary>
    /// The watched chats are known: their pumps start, and chats that sent updates before, and are not watched, are let
    /// go (after the switch, so one the update loop adds meanwhile is let go too).
    /// </summary>
    public void Start(CancellationToken ct)
    {
        _started = true;
        foreach (var (chatId, feed) in _feeds)
        {
            if (IsWatched(chatId)) feed.Start(owner, ct);
            else _feeds.TryRemove(chatId, out _);
        }
    }

    /// <summary>The chat's feed; created when <paramref name="create"/>, or for a watched chat once started.</summary>
    public ChatFeed? FeedOf(long chatId, bool create)
    {
        if (_feeds.TryGetValue(chatId, out var feed)) return feed;
        // Before the watched chats are known every chat is held (bounded); after, only watched ones.
        if (!create && _started && !IsWatched(chatId)) return null;
        var added = _feeds.GetOrAdd(chatId, id => new ChatFeed(id, liveQueueCapacity));
        if (_started && added.Pump is null)
        {
            if (TryGetCommitted(chatId, out var position)) added.Anchor(position);
            added.Start(owner, _run);
        }
        return added;
    }

    /// <summary>Every chat catches up from its position (the link is back after a drop).</summary>
    public void CatchUpAll()
    {
        foreach (var feed in _feeds.Values) feed.RequestCatchUp();
    }

    /// <summary>The read ended (its token cancelled): waits for every pump and forgets the feeds.</summary>
    public async Task StopAsync()
    {
        foreach (var feed in _feeds.Values)
        {
            if (feed.Pump is not { } pump) continue;
            try
            {
                await pump.ConfigureAwait(false);
            }
            catch
            {
                // Its failure, if any, already ended the stream.
            }
        }
        _feeds.Clear();
        _started = false;
    }

    private bool IsWatched(long chatId)
    {
        if (everyChat) return true;
        lock (_watched) return _watched.Contains(chatId);
    }
}
