using System.Collections.Concurrent;

namespace Tgwatch.Tdlib.Updates;

/// <summary>What a <see cref="TdUpdateReader"/> made of the updates it read.</summary>
public enum TdEventKind
{
    /// <summary><see cref="TdNewMessage"/>.</summary>
    NewMessage,

    /// <summary><see cref="TdMessageSendSucceeded"/>.</summary>
    MessageSendSucceeded,

    /// <summary><see cref="TdMessageEdited"/>.</summary>
    MessageEdited,

    /// <summary><see cref="TdMessageContentChanged"/>.</summary>
    MessageContentChanged,

    /// <summary><see cref="TdMessagesDeleted"/>.</summary>
    MessagesDeleted,

    /// <summary><see cref="TdConnectionChanged"/>.</summary>
    ConnectionChanged,

    /// <summary><see cref="TdAuthorizationChanged"/>.</summary>
    AuthorizationChanged,

    /// <summary><see cref="TdDirectoryChanged"/>.</summary>
    DirectoryChanged,

    /// <summary><see cref="TdOtherUpdate"/>.</summary>
    Other,

    /// <summary><see cref="TdMalformedUpdate"/>.</summary>
    Malformed,

    /// <summary><see cref="TdMessageSendFailed"/>.</summary>
    MessageSendFailed,

    /// <summary><see cref="TdFileUpdated"/>.</summary>
    FileUpdated,
}

/// <summary>
/// Counts of a <see cref="TdUpdateReader"/>: events per kind, updates Tgwatch does not act on per
/// <c>@type</c> (at most <see cref="MaxOtherTypes"/> names, the rest under <see cref="OtherTypesName"/>), and
/// malformed message objects of answers. Safe to read while the reader runs.
/// </summary>
public sealed class TdUpdateStats
{
    /// <summary>How many distinct <c>@type</c> names are counted on their own.</summary>
    public const int MaxOtherTypes = 64;

    /// <summary>The name the types beyond <see cref="MaxOtherTypes"/> are counted under.</summary>
    public const string OtherTypesName = "other";

    private readonly long[] _events = new long[Enum.GetValues<TdEventKind>().Length];
    private readonly ConcurrentDictionary<string, StrongBox> _otherTypes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox>.AlternateLookup<ReadOnlySpan<char>> _otherLookup;
    private readonly Lock _adding = new();
    private readonly StrongBox _overflow = new();
    private int _named;
    private long _malformedMessages;

    private sealed class StrongBox
    {
        public long Value;
    }

    /// <summary>Creates empty counts.</summary>
    public TdUpdateStats() => _otherLookup = _otherTypes.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>How many updates gave an event of <paramref name="kind"/>.</summary>
    public long Count(TdEventKind kind) => Interlocked.Read(ref _events[(int)kind]);

    /// <summary>How many updates were read, of every kind.</summary>
    public long Total
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _events.Length; i++) sum += Interlocked.Read(ref _events[i]);
            return sum;
        }
    }

    /// <summary>How many updates were malformed (<see cref="TdMalformedUpdate"/>).</summary>
    public long Malformed => Count(TdEventKind.Malformed);

    /// <summary>How many message objects of answers (<see cref="TdUpdateReader.ReadMessage"/>) were malformed.</summary>
    public long MalformedMessages => Interlocked.Read(ref _malformedMessages);

    /// <summary>A copy of the counts of updates Tgwatch does not act on, by <c>@type</c>.</summary>
    public IReadOnlyDictionary<string, long> OtherTypes()
    {
        var copy = _otherTypes.ToDictionary(p => p.Key, p => Interlocked.Read(ref p.Value.Value), StringComparer.Ordinal);
        if (Interlocked.Read(ref _overflow.Value) is var overflow and > 0) copy[OtherTypesName] = overflow;
        return copy;
    }

    internal void Add(TdEventKind kind) => Interlocked.Increment(ref _events[(int)kind]);

    internal void AddMalformedMessage() => Interlocked.Increment(ref _malformedMessages);

    /// <summary>Counts an update of a type Tgwatch does not act on; returns its name as a string (the counted key when there is one).</summary>
    internal string AddOther(ReadOnlySpan<char> type, string? typeString)
    {
        Add(TdEventKind.Other);
        if (!_otherLookup.TryGetValue(type, out var key, out var box))
        {
            if (Volatile.Read(ref _named) >= MaxOtherTypes) box = _overflow;
            else
            {
                lock (_adding)
                {
                    if (_otherLookup.TryGetValue(type, out key, out box)) { }
                    else if (_named < MaxOtherTypes)
                    {
                        key = typeString ?? type.ToString();
                        box = new StrongBox();
                        _otherTypes[key] = box;
                        Volatile.Write(ref _named, _named + 1);
                    }
                    else box = _overflow;
                }
            }
        }
        Interlocked.Increment(ref box.Value);
        return key ?? typeString ?? type.ToString();
    }
}
