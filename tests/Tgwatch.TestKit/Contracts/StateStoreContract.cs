using System.Collections;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Connectors;
using Tgwatch.Storage;
using Xunit;

namespace Tgwatch.TestKit.Contracts;

/// <summary>
/// What every <see cref="IStateStore"/> promises, as tests: a test class derives from it for each store, says how to
/// create one (and, for a store that keeps its state, how to open it again), and runs every test against it. The
/// SQLite store is the reference: a behaviour it shows and the interface promises is held here, so that no other
/// store (in memory, PostgreSQL) drifts from it.
/// </summary>
/// <remarks>
/// Each test gets a new, empty store on a <see cref="FakeTimeProvider"/> at <see cref="Start"/>: time moves only when a
/// test advances <see cref="Time"/>. A test that checks what survives a restart calls <see cref="ReopenIfSupportedAsync"/>,
/// and asserts the same whether the store was opened again or not.
/// </remarks>
public abstract partial class StateStoreContract : IAsyncLifetime
{
    /// <summary>When every test starts (the fake clock's start, and the instant most data is dated from).</summary>
    protected static readonly DateTimeOffset Start = StoreData.Start;

    private IStateStore? _store;

    /// <summary>The clock the store is created with.</summary>
    protected FakeTimeProvider Time { get; } = new(Start);

    /// <summary>The store under test.</summary>
    protected IStateStore Store => _store ?? throw new InvalidOperationException("the store is not open");

    /// <summary>True when the store keeps its state across <see cref="ReopenAsync"/> (a file, a database).</summary>
    protected virtual bool SupportsReopen => false;

    /// <summary>Creates a new, empty store on <paramref name="time"/>.</summary>
    protected abstract Task<IStateStore> CreateAsync(TimeProvider time);

    /// <summary>Opens again the store <see cref="CreateAsync"/> created (already disposed), as a restarted process would.</summary>
    protected virtual Task<IStateStore> ReopenAsync(TimeProvider time) =>
        throw new NotSupportedException($"{GetType().Name} does not open its store again; it says so with {nameof(SupportsReopen)}");

    /// <summary>Creates the store.</summary>
    public async Task InitializeAsync() => _store = await CreateAsync(Time);

    /// <summary>Disposes the store.</summary>
    public virtual async Task DisposeAsync()
    {
        if (_store is { } store) await store.DisposeAsync();
        _store = null;
    }

    /// <summary>Disposes the store and opens it again when it <see cref="SupportsReopen"/>; otherwise goes on with the same store.</summary>
    protected async Task ReopenIfSupportedAsync()
    {
        if (!SupportsReopen) return;
        await Store.DisposeAsync();
        _store = null;
        _store = await ReopenAsync(Time);
    }

    /// <summary>Those of <paramref name="keys"/> that were processed, whichever sinks have them.</summary>
    protected async Task<IReadOnlySet<string>> ProcessedAsync(IReadOnlyCollection<string> keys) => await Store.FindProcessedAsync(keys, CancellationToken.None);

    /// <summary>A processed message of account <c>bot1</c>, dated <paramref name="id"/> minutes before <see cref="Start"/> unless told.</summary>
    protected static ProcessedMessage Message(long chat, long id, DateTimeOffset? date = null, string? title = null, string account = "bot1") =>
        StoreData.Message(chat, id, date, title, account);

    /// <summary><paramref name="count"/> messages of a chat, ids from <paramref name="from"/>.</summary>
    protected static ProcessedMessage[] Messages(long chat, long from, int count, string? title = null) =>
        StoreData.Messages(chat, from, count, title);

    /// <summary>A commit of <c>bot1</c>'s <c>botapi</c> connector.</summary>
    protected static StoreCommit Commit(DateTimeOffset at, IReadOnlyList<ProcessedMessage> processed, params Checkpoint[] checkpoints) =>
        StoreData.Commit(at, processed, checkpoints);

    /// <summary>The keys of <paramref name="messages"/>.</summary>
    protected static string[] Keys(IEnumerable<ProcessedMessage> messages) => [.. messages.Select(m => m.Key)];

    /// <summary>A batch that does something (throw, cancel) when the store reads a given item.</summary>
    protected sealed class ScriptedList(ProcessedMessage[] items, int atIndex, Action action) : IReadOnlyList<ProcessedMessage>
    {
        /// <inheritdoc />
        public ProcessedMessage this[int index]
        {
            get
            {
                if (index == atIndex) action();
                return items[index];
            }
        }

        /// <inheritdoc />
        public int Count => items.Length;

        /// <inheritdoc />
        public IEnumerator<ProcessedMessage> GetEnumerator() => Enumerable.Range(0, Count).Select(i => this[i]).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
