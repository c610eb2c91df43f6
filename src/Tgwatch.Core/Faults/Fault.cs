namespace Tgwatch.Faults;

/// <summary>The verdict on an exception: what kind of fault it is and, when the server said so, how long to wait.</summary>
/// <param name="Kind">What kind of fault this is; it decides whether to retry, wait, stop or shout.</param>
/// <param name="RetryAfter">How long the server asked us to wait before trying again; <see langword="null"/> when it did not say.</param>
/// <remarks>A value type, so producing one never allocates.</remarks>
public readonly record struct Fault(FaultKind Kind, TimeSpan? RetryAfter = null);
