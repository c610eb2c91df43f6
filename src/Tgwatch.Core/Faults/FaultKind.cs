namespace Tgwatch.Faults;

/// <summary>What kind of fault an exception or a foreign log record stands for.</summary>
/// <remarks>The kind decides what happens next: retry with backoff, wait, stop, or shout.</remarks>
public enum FaultKind
{
    /// <summary>A transport failure: reset, refused, unreachable, lost connection. Retried quietly.</summary>
    Network,

    /// <summary>An operation ran out of time (not cancelled by its caller). Retried quietly.</summary>
    Timeout,

    /// <summary>The server asked us to slow down (HTTP 429, FLOOD_WAIT_n). Wait the given delay.</summary>
    RateLimited,

    /// <summary>Credentials rejected or session revoked. Stop and say so.</summary>
    Auth,

    /// <summary>A local resource failed: disk full, permission denied, file I/O error. Loud, never "network".</summary>
    Resource,

    /// <summary>The caller cancelled the operation on purpose. Not a failure.</summary>
    Cancelled,

    /// <summary>Everything else: a defect. Loud, with the full stack trace.</summary>
    Bug,
}
