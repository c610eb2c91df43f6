namespace Tgwatch.Faults;

/// <summary>The verdict on an exception: what kind of fault it is and, when the server said so, how long to wait.</summary>
/// <remarks>A small value type (16 bytes), so producing one never allocates and copying it is cheap.</remarks>
public readonly struct Fault : IEquatable<Fault>
{
    private readonly long _retryAfterTicks;

    /// <summary>A verdict.</summary>
    /// <param name="kind">What kind of fault this is; it decides whether to retry, wait, stop or shout.</param>
    /// <param name="retryAfter">How long the server asked us to wait before trying again; <see langword="null"/> when it did not say.</param>
    public Fault(FaultKind kind, TimeSpan? retryAfter = null)
    {
        Kind = kind;
        _retryAfterTicks = retryAfter is { } delay ? Math.Max(0, delay.Ticks) : -1;
    }

    /// <summary>What kind of fault this is; it decides whether to retry, wait, stop or shout.</summary>
    public FaultKind Kind { get; }

    /// <summary>How long the server asked us to wait before trying again; <see langword="null"/> when it did not say.</summary>
    public TimeSpan? RetryAfter => _retryAfterTicks < 0 ? null : new TimeSpan(_retryAfterTicks);

    /// <inheritdoc />
    public bool Equals(Fault other) => Kind == other.Kind && _retryAfterTicks == other._retryAfterTicks;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Fault other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, _retryAfterTicks);

    /// <inheritdoc />
    public override string ToString() => RetryAfter is { } delay ? $"{Kind} (retry after {delay})" : Kind.ToString();

    /// <summary>Equal kind and delay.</summary>
    public static bool operator ==(Fault left, Fault right) => left.Equals(right);

    /// <summary>Different kind or delay.</summary>
    public static bool operator !=(Fault left, Fault right) => !left.Equals(right);
}
