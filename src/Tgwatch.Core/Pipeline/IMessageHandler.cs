using Tgwatch.Messages;

namespace Tgwatch.Pipeline;

/// <summary>
/// User code run for each message that passed the filters. A handler that throws is retried (transient
/// faults, with backoff) and then dead-lettered; it never stops the stream. A handler that does not
/// finish within its deadline is cancelled through the token it is given.
/// </summary>
public interface IMessageHandler
{
    /// <summary>The handler's name, as dead letters record it.</summary>
    string Name => GetType().Name;

    /// <summary>How long one call may take before it is abandoned as a time-out; null for the pipeline's <c>HandlerTimeout</c>.</summary>
    TimeSpan? Timeout => null;

    /// <summary>Handles one message.</summary>
    ValueTask HandleAsync(TgMessage message, CancellationToken ct);
}
