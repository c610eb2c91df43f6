using Tgwatch.Faults;

namespace Tgwatch.Storage;

/// <summary>Messages whose handler or sink kept failing, with the error, until replayed.</summary>
public interface IDeadLetterStore
{
    /// <summary>Adds a letter; returns its id. A second letter for the same key and stage replaces the first.</summary>
    ValueTask<long> AddAsync(NewDeadLetter letter, CancellationToken ct);

    /// <summary>Letters in id order, after <paramref name="afterId"/>.</summary>
    ValueTask<IReadOnlyList<DeadLetter>> ListAsync(int limit, long afterId, CancellationToken ct);

    /// <summary>Removes a letter (after a successful replay).</summary>
    ValueTask<bool> RemoveAsync(long id, CancellationToken ct);

    /// <summary>Number of letters.</summary>
    ValueTask<long> CountAsync(CancellationToken ct);
}

/// <summary>A letter to add.</summary>
/// <param name="Key">Message key.</param>
/// <param name="Stage"><c>handler:NAME</c> or <c>sink:NAME</c>: what failed.</param>
/// <param name="MessageJson">The message, full JSON form.</param>
/// <param name="Fault">Fault kind of the last error.</param>
/// <param name="ErrorType">Exception type name of the last error.</param>
/// <param name="Error">The last error with its stack trace.</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="FailedAt">When it was given up.</param>
public sealed record NewDeadLetter(string Key, string Stage, string MessageJson, FaultKind Fault, string ErrorType, string Error, int Attempts, DateTimeOffset FailedAt);

/// <summary>A stored letter.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Letter">What was added.</param>
public sealed record DeadLetter(long Id, NewDeadLetter Letter);
