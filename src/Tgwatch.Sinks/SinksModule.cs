using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Tgwatch.Faults;
using Tgwatch.Sqlite;

namespace Tgwatch.Sinks;

/// <summary>What the sinks library sets up once when it is loaded.</summary>
internal static class SinksModule
{
    /// <summary>
    /// Registers the SQLite fault rule: the SQLite sink, the JSONL sink's ledger and the webhook outbox throw SQLite's
    /// errors, and a full disk or a locked file must be a fault to wait out wherever it is caught.
    /// </summary>
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "SQLite's errors must be classified by whoever catches them, from the first one on, without each caller registering the rule.")]
    [ModuleInitializer]
    internal static void Initialize() => FaultClassifier.Register(SqliteFaultRule.Instance);
}
