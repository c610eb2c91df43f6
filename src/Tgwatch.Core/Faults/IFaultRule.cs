namespace Tgwatch.Faults;

/// <summary>
/// Teaches <see cref="FaultClassifier"/> the exceptions of a library that Core does not reference
/// (for example a connector's client library).
/// </summary>
public interface IFaultRule
{
    /// <summary>Classifies <paramref name="exception"/> if this rule knows it.</summary>
    /// <param name="exception">One exception of the chain being classified (the outer one, an inner one, or one member of an <see cref="AggregateException"/>).</param>
    /// <returns>The verdict, or <see langword="null"/> to let the built-in rules decide.</returns>
    /// <remarks>
    /// Rules are consulted before the built-in rules, for every exception the classifier visits. They run in a
    /// logging hot path: decide by type and error codes (never by message text), do not allocate, do not throw.
    /// </remarks>
    Fault? TryClassify(Exception exception);
}
