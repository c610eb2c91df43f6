using Tgwatch.Storage;
using Tgwatch.TestKit;
using Tgwatch.TestKit.Contracts;

namespace Tgwatch.Core.Tests.Storage;

/// <summary>The in-memory store the other tests run on keeps every promise of the state store contract (without a restart: it keeps nothing).</summary>
public sealed class InMemoryStateStoreContractTests : StateStoreContract
{
    protected override Task<IStateStore> CreateAsync(TimeProvider time) => Task.FromResult<IStateStore>(new InMemoryStateStore(time));
}
