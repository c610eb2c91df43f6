using Tgwatch.Connectors;
using Tgwatch.Storage;

namespace Tgwatch.TestKit.Contracts;

/// <summary>Builders of state store data, for the contract and for the tests of one store.</summary>
public static class StoreData
{
    /// <summary>When the stores' tests start (their fake clock's start, and the instant most data is dated from).</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A processed message of account <c>bot1</c>, dated <paramref name="id"/> minutes before <see cref="Start"/> unless told.</summary>
    public static ProcessedMessage Message(long chat, long id, DateTimeOffset? date = null, string? title = null, string account = "bot1") =>
        new($"{account}:{chat}:{id}:new:", chat, title, id, date ?? Start.AddMinutes(-id));

    /// <summary><paramref name="count"/> messages of a chat, ids from <paramref name="from"/>.</summary>
    public static ProcessedMessage[] Messages(long chat, long from, int count, string? title = null) =>
        [.. Enumerable.Range(0, count).Select(i => Message(chat, from + i, title: title))];

    /// <summary>A commit of <c>bot1</c>'s <c>botapi</c> connector.</summary>
    public static StoreCommit Commit(DateTimeOffset at, IReadOnlyList<ProcessedMessage> processed, params Checkpoint[] checkpoints) =>
        new("bot1", "botapi", checkpoints, processed, at);

    /// <summary>The keys of <paramref name="messages"/>.</summary>
    public static string[] Keys(IEnumerable<ProcessedMessage> messages) => [.. messages.Select(m => m.Key)];

    /// <summary>
    /// <paramref name="asked"/> keys to look up, every other one of them <paramref name="committed"/> (in order), the others
    /// never committed (ids past those, or another chat); and the committed ones among them, which a look-up must find.
    /// </summary>
    public static (List<string> Keys, HashSet<string> Expected) EveryOtherCommitted(IReadOnlyList<ProcessedMessage> committed, int asked)
    {
        var keys = new List<string>(asked);
        var expected = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < asked; i++)
        {
            if (i % 2 == 0)
            {
                keys.Add(committed[i / 2].Key);
                expected.Add(committed[i / 2].Key);
            }
            else keys.Add(Message(i % 3 == 0 ? 7 : -1001, 10_000 + i).Key);
        }
        return (keys, expected);
    }
}
