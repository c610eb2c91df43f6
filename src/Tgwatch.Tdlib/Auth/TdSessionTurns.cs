using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Threading.Channels;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Objects;

namespace Tgwatch.Tdlib.Auth;

/// <summary>
/// A session's updates read by one reader after another: a runner's wait as standby, then its connector, then the wait again
/// after a lost lease. TDLib tells a session the state of its link (<c>updateConnectionState</c>) and of its authorization
/// (<c>updateAuthorizationState</c>) only when they change, so each reader is first told the latest of each that the readers
/// before it read: a connector that starts after a standby's wait knows that the link is up. One reader at a time.
/// </summary>
public sealed class TdSessionTurns
{
    private readonly ITdSession _session;
    private readonly Noted _updates;

    /// <summary>Turns at the updates of <paramref name="session"/>; every reader reads them through <see cref="Next"/>.</summary>
    public TdSessionTurns(ITdSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        _session = session;
        _updates = new Noted(session.Updates);
    }

    /// <summary>The session for the next reader: its requests go to the session, its updates start with the latest states read.</summary>
    public ITdSession Next() => new Turn(_session, new ReplayChannelReader<JsonElement>(_updates.Latest(), _updates));

    private sealed class Turn(ITdSession session, ChannelReader<JsonElement> updates) : ITdSession
    {
        public Task<JsonElement> SendAsync(TdFunction request, TimeSpan? timeout = null, CancellationToken ct = default) => session.SendAsync(request, timeout, ct);

        public ChannelReader<JsonElement> Updates => updates;
    }

    /// <summary>The session's updates, noting the latest link and authorization states read.</summary>
    private sealed class Noted(ChannelReader<JsonElement> inner) : ChannelReader<JsonElement>
    {
        private readonly Lock _sync = new();
        private JsonElement? _link;
        private JsonElement? _authorization;

        public override Task Completion => inner.Completion;

        public override bool CanCount => inner.CanCount;

        public override int Count => inner.Count;

        public override bool CanPeek => inner.CanPeek;

        public override bool TryPeek([MaybeNullWhen(false)] out JsonElement item) => inner.TryPeek(out item);

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) => inner.WaitToReadAsync(cancellationToken);

        public override bool TryRead([MaybeNullWhen(false)] out JsonElement item)
        {
            if (!inner.TryRead(out item)) return false;
            Note(item);
            return true;
        }

        public List<JsonElement> Latest()
        {
            lock (_sync)
            {
                List<JsonElement> latest = [];
                if (_link is { } link) latest.Add(link);
                if (_authorization is { } authorization) latest.Add(authorization);
                return latest;
            }
        }

        private void Note(JsonElement update)
        {
            if (!TdObjectReader.TryGetType(update, out var type)) return;
            var link = type.ValueEquals("updateConnectionState"u8);
            if (!link && !type.ValueEquals("updateAuthorizationState"u8)) return;
            var kept = update.Clone();
            lock (_sync)
            {
                if (link) _link = kept;
                else _authorization = kept;
            }
        }
    }
}
