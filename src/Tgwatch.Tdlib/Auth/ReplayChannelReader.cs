using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace Tgwatch.Tdlib.Auth;

/// <summary>
/// Gives <paramref name="first"/>, in order, then whatever <paramref name="then"/> gives. <see cref="Completion"/> is
/// <paramref name="then"/>'s: read with <see cref="ChannelReader{T}.WaitToReadAsync"/>/<see cref="TryRead"/> (or
/// <c>ReadAllAsync</c>), which give every replayed item even when <paramref name="then"/> is already completed.
/// </summary>
internal sealed class ReplayChannelReader<T>(IReadOnlyList<T> first, ChannelReader<T> then) : ChannelReader<T>
{
    private readonly Lock _gate = new();
    private int _next;

    public override Task Completion => then.Completion;

    public override bool CanCount => then.CanCount;

    public override int Count => Remaining + then.Count;

    private int Remaining
    {
        get
        {
            lock (_gate) return first.Count - _next;
        }
    }

    public override bool TryRead([MaybeNullWhen(false)] out T item)
    {
        lock (_gate)
        {
            if (_next < first.Count)
            {
                item = first[_next++];
                return true;
            }
        }
        return then.TryRead(out item);
    }

    public override bool TryPeek([MaybeNullWhen(false)] out T item)
    {
        lock (_gate)
        {
            if (_next < first.Count)
            {
                item = first[_next];
                return true;
            }
        }
        return then.TryPeek(out item);
    }

    public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
        Remaining > 0 ? ValueTask.FromResult(true) : then.WaitToReadAsync(cancellationToken);
}
