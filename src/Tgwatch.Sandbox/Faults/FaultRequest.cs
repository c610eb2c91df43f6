namespace Tgwatch.Sandbox.Faults;

/// <summary>
/// A fault to arm (<c>POST /sandbox/faults</c>). Request faults hit the next <see cref="Count"/> bot requests
/// (matching <see cref="Method"/> when given), or every one for <see cref="DurationSeconds"/>, whichever ends
/// first; with neither, one request. A <see cref="SandboxFaultKind.Malformed"/> fault queues <see cref="Count"/> (default 1)
/// bad updates behind the updates already queued, so the next batch that reaches them holds them among good ones.
/// </summary>
public sealed class FaultRequest
{
    /// <summary>What to do.</summary>
    public required SandboxFaultKind Kind { get; init; }

    /// <summary>How many requests (or malformed updates).</summary>
    public int? Count { get; init; }

    /// <summary>For how long, from now.</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>Only requests of this Bot API method (case-insensitive), e.g. getUpdates.</summary>
    public string? Method { get; init; }

    /// <summary>The <c>retry_after</c> of a rate limit, in seconds (default 1).</summary>
    public int? RetryAfter { get; init; }

    /// <summary>The shape of malformed updates (default wrong_type).</summary>
    public MalformedShape? Shape { get; init; }

    /// <summary>The bot whose queue gets malformed updates (default: the first bot).</summary>
    public long? BotId { get; init; }
}

/// <summary>A fault as armed.</summary>
/// <param name="Id">Its number.</param>
/// <param name="Kind">What it does.</param>
/// <param name="Count">Requests it will hit (null: until its time ends).</param>
/// <param name="Until">When it ends (null: after its count).</param>
/// <param name="Method">The method it is limited to.</param>
/// <param name="UpdateIds">For malformed updates: the ids they were queued under.</param>
public sealed record ArmedFault(long Id, SandboxFaultKind Kind, int? Count, DateTimeOffset? Until, string? Method, IReadOnlyList<int>? UpdateIds = null);
