using Tgwatch.Storage;

namespace Tgwatch.TestKit;

/// <summary>Shortcuts for asserting on a state store.</summary>
public static class StateStoreExtensions
{
    /// <summary>Those of <paramref name="keys"/> that were processed, whichever sinks have them.</summary>
    public static async ValueTask<IReadOnlySet<string>> FindProcessedAsync(this IStateStore store, IReadOnlyCollection<string> keys, CancellationToken ct) =>
        (await store.FindProcessedAsync(keys, [], ct).ConfigureAwait(false)).Keys.ToHashSet(StringComparer.Ordinal);
}
