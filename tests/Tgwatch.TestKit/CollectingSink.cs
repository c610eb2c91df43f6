using System.Collections.Concurrent;
using Tgwatch.Messages;
using Tgwatch.Pipeline;

namespace Tgwatch.TestKit;

/// <summary>
/// A sink that keeps what it is given: every write in order (to see what the pipeline sent, repeats
/// included) and, idempotent on the key as the contract asks, the last record of each key.
/// Faults are injected through <see cref="BeforeWrite"/>.
/// </summary>
public sealed class CollectingSink(string name = "collect") : IMessageSink
{
    private readonly Lock _sync = new();
    private readonly List<TgMessage> _writes = [];
    private readonly Dictionary<string, TgMessage> _byKey = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <inheritdoc />
    public string Name { get; } = name;

    /// <summary>Runs before a batch is stored; throw to fail the write, or write a part with <see cref="Store"/> and hang to act out a crash.</summary>
    public Func<IReadOnlyList<TgMessage>, CancellationToken, ValueTask>? BeforeWrite { get; set; }

    /// <summary>Every message written, repeats included.</summary>
    public IReadOnlyList<TgMessage> Writes
    {
        get { lock (_sync) return [.. _writes]; }
    }

    /// <summary>Keys in the order first written.</summary>
    public IReadOnlyList<string> Keys
    {
        get { lock (_sync) return [.. _order]; }
    }

    /// <summary>The stored record of each key.</summary>
    public IReadOnlyDictionary<string, TgMessage> ByKey
    {
        get { lock (_sync) return new Dictionary<string, TgMessage>(_byKey); }
    }

    /// <summary>Batches that reached the sink (failed ones included).</summary>
    public int Batches => _batches;

    private int _batches;

    /// <summary>Starts counted.</summary>
    public int Starts { get; private set; }

    /// <inheritdoc />
    public ValueTask StartAsync(CancellationToken ct)
    {
        Starts++;
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(IReadOnlyList<TgMessage> batch, CancellationToken ct)
    {
        Interlocked.Increment(ref _batches);
        if (BeforeWrite is { } before) await before(batch, ct).ConfigureAwait(false);
        Store(batch);
    }

    /// <summary>Stores messages as a write would.</summary>
    public void Store(IEnumerable<TgMessage> messages)
    {
        lock (_sync)
        {
            foreach (var m in messages)
            {
                _writes.Add(m);
                if (_byKey.TryAdd(m.Key, m)) _order.Add(m.Key);
                else _byKey[m.Key] = m;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
