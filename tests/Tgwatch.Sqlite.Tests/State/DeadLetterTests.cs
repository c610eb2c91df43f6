using Tgwatch.Faults;
using Tgwatch.Storage;

namespace Tgwatch.Sqlite.Tests.State;

/// <summary>Dead letters as the SQLite file holds them.</summary>
public sealed class DeadLetterTests
{
    private static NewDeadLetter Letter(string key, string stage = "sink:webhook", int attempts = 5, FaultKind fault = FaultKind.Network, string error = "System.Net.Http.HttpRequestException: refused\n   at X.Y()") =>
        new(key, stage, $"{{\"key\":\"{key}\"}}", fault, "System.Net.Http.HttpRequestException", error, attempts, TempStore.Start.AddSeconds(attempts));

    [Fact]
    public async Task AFaultKindWrittenByANewerTgwatch_ReadsAsBug()
    {
        await using var t = await TempStore.OpenAsync();
        await t.Store.DeadLetters.AddAsync(Letter("k"), default);
        using (var raw = t.Raw()) Make.Scalar(raw, "UPDATE dead_letters SET fault = 'Quantum' RETURNING 0");
        Assert.Equal(FaultKind.Bug, Assert.Single(await t.Store.DeadLetters.ListAsync(1, 0, default)).Letter.Fault);
    }
}
