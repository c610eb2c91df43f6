using Tgwatch.TestKit;

namespace Tgwatch.Postgres.Tests.Leases;

/// <summary>
/// One Telegram account as each of its TDLib sessions shows it (one session per machine, each logged in on its own): a
/// <see cref="TdWorld"/> per session with the same chats, every message posted to each in the same order, so that every
/// session knows a message by the same id. A session whose machine died is told nothing live any more (its history still
/// grows, keeping the ids in step).
/// </summary>
internal sealed class OneAccount
{
    private readonly HashSet<TdWorld> _silenced = [];
    private readonly List<(long Chat, long Id)> _posted = [];

    public OneAccount(int sessions) => Sessions = [.. Enumerable.Range(0, sessions).Select(_ => new TdWorld())];

    public IReadOnlyList<TdWorld> Sessions { get; }

    /// <summary>Every message posted live so far (not the history the chats had before), in order.</summary>
    public IReadOnlyList<(long Chat, long Id)> Posted
    {
        get { lock (_posted) return [.. _posted]; }
    }

    public void AddChat(long id, string title)
    {
        foreach (var s in Sessions) s.AddChat(id, title);
    }

    /// <summary>The machine of <paramref name="session"/> died, its TDLib with it.</summary>
    public void Silence(TdWorld session)
    {
        lock (_posted) _silenced.Add(session);
    }

    /// <summary>
    /// A message from before any runner started: in the chat's history, and when <paramref name="live"/> told to every
    /// session too (its update waits there, unread, as those TDLib gives while a run opens its session).
    /// </summary>
    public void Before(long chat, string text, bool live = false)
    {
        foreach (var s in Sessions) s.Post(chat, text, live);
    }

    /// <summary>A new message: in every session's history, and live (updateNewMessage) to those that are there.</summary>
    public (long Chat, long Id) Post(long chat, string text)
    {
        lock (_posted)
        {
            var ids = Sessions.Select(s => s.Post(chat, text, live: !_silenced.Contains(s)).Id).Distinct().ToList();
            if (ids.Count != 1) throw new InvalidOperationException($"the sessions disagree on the id of a message: {string.Join(", ", ids)}");
            _posted.Add((chat, ids[0]));
            return (chat, ids[0]);
        }
    }

    /// <summary><paramref name="count"/> new messages, to <paramref name="chats"/> in turn.</summary>
    public List<(long Chat, long Id)> Post(int count, string prefix, params long[] chats) =>
        [.. Enumerable.Range(0, count).Select(i => Post(chats[i % chats.Length], $"{prefix} {i}"))];
}
