using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Npgsql;
using Tgwatch.Faults;

namespace Tgwatch.Postgres;

/// <summary>
/// Teaches the fault classifier PostgreSQL's errors, by SQLSTATE (never by text): a lost or refused connection and a
/// server shutting down or starting, a session it ended (a transaction idle too long) are <see cref="FaultKind.Network"/>; a full disk, no memory or no connection slot
/// left, a deadlock, a serialization failure or a lock not available are <see cref="FaultKind.Resource"/> faults that
/// a stage waits out. An error of Npgsql's own that it calls transient (a broken stream, a socket) is Network. The rest
/// (a constraint, a syntax error) is left to the built-in rules, which call it a bug.
/// </summary>
/// <remarks>Registered with <see cref="FaultClassifier.Register"/> as soon as this library is loaded.</remarks>
public sealed class PostgresFaultRule : IFaultRule
{
    /// <summary>The rule (it holds no state).</summary>
    public static PostgresFaultRule Instance { get; } = new();

    /// <summary>Registers the rule with every fault classifier; called when the library is loaded, harmless again.</summary>
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "PostgreSQL's errors must be classified by whoever catches them, from the first one on, without each caller registering the rule.")]
    [ModuleInitializer]
    internal static void Register() => FaultClassifier.Register(Instance);

    /// <inheritdoc />
    public Fault? TryClassify(Exception exception) => exception switch
    {
        PostgresException p => Classify(p.SqlState),
        NpgsqlException { IsTransient: true } => new Fault(FaultKind.Network),
        _ => null,
    };

    /// <summary>The verdict on a SQLSTATE, or <see langword="null"/> for those the built-in rules decide (as a bug).</summary>
    internal static Fault? Classify(string sqlState) => sqlState switch
    {
        ['0', '8', ..] => new Fault(FaultKind.Network),                         // connection exception
        "57P01" or "57P02" or "57P03" => new Fault(FaultKind.Network),          // admin or crash shutdown, cannot connect now
        "25P03" => new Fault(FaultKind.Network),                                 // the session ended by the server: a transaction left idle too long (a paused runner)
        ['5', '3', ..] => new Fault(FaultKind.Resource),                        // insufficient resources: disk full, out of memory, too many connections
        "40001" or "40P01" or "55P03" => new Fault(FaultKind.Resource),         // serialization failure, deadlock, lock not available
        _ => null,
    };
}
