using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Tgwatch.Faults;

namespace Tgwatch.Sqlite;

/// <summary>
/// Teaches the fault classifier SQLite's errors, by result code (never by text): a full disk, an I/O error, a file
/// locked by another connection, a read-only or unopenable file are <see cref="FaultKind.Resource"/> faults that a
/// stage waits out; the rest (a corrupt file, a constraint, misuse) is left to the built-in rules, which call it a bug.
/// </summary>
/// <remarks>Registered with <see cref="FaultClassifier.Register"/> as soon as this library (or Tgwatch.Sinks) is loaded.</remarks>
public sealed class SqliteFaultRule : IFaultRule
{
    private const int SqlitePerm = 3;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteNoMem = 7;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoErr = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;
    private const int SqliteCantOpenNoTempDir = SqliteCantOpen | (1 << 8);

    /// <summary>The rule (it holds no state).</summary>
    public static SqliteFaultRule Instance { get; } = new();

    /// <summary>Registers the rule with every fault classifier; called when the library is loaded, harmless again.</summary>
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "SQLite's errors must be classified by whoever catches them, from the first one on, without each caller registering the rule.")]
    [ModuleInitializer]
    internal static void Register() => FaultClassifier.Register(Instance);

    /// <inheritdoc />
    public Fault? TryClassify(Exception exception) => exception is SqliteException sqlite ? Classify(sqlite.SqliteErrorCode, sqlite.SqliteExtendedErrorCode) : null;

    /// <summary>The verdict on an SQLite result code, or <see langword="null"/> for codes the built-in rules decide (as a bug).</summary>
    /// <param name="code">The result code (only its primary part, the low byte, is looked at).</param>
    /// <param name="extendedCode">The extended result code, which tells a path problem from a resource problem on open.</param>
    internal static Fault? Classify(int code, int extendedCode) => (code & 0xFF) switch
    {
        SqliteFull or SqliteIoErr or SqliteBusy or SqliteLocked or SqliteReadOnly or SqlitePerm or SqliteNoMem => new Fault(FaultKind.Resource),
        // A file that cannot be opened for want of permission, space or descriptors (plain code); a path that is a
        // directory, a symlink refused, or a path that cannot be resolved is a configuration mistake.
        SqliteCantOpen when extendedCode is SqliteCantOpen or SqliteCantOpenNoTempDir or 0 => new Fault(FaultKind.Resource),
        _ => null,
    };
}
