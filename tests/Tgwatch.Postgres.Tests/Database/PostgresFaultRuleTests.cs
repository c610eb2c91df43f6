using Npgsql;
using Tgwatch.Faults;
using Tgwatch.TestKit;

namespace Tgwatch.Postgres.Tests.Database;

/// <summary>PostgreSQL's errors are classified by SQLSTATE: what a stage waits out is never a bug, what is a bug stays one.</summary>
public sealed class PostgresFaultRuleTests
{
    [Theory]
    [InlineData("08006", FaultKind.Network)]
    [InlineData("57P01", FaultKind.Network)]
    [InlineData("25P03", FaultKind.Network)]
    [InlineData("53100", FaultKind.Resource)]
    [InlineData("53300", FaultKind.Resource)]
    [InlineData("40P01", FaultKind.Resource)]
    [InlineData("40001", FaultKind.Resource)]
    public void ASqlState_IsItsFaultKind(string sqlState, FaultKind kind) => Assert.Equal(kind, PostgresFaultRule.Classify(sqlState)!.Value.Kind);

    [Theory]
    [InlineData("23505")] // unique violation
    [InlineData("42P01")] // undefined table
    public void AnErrorOfOurs_IsLeftToTheBuiltInRules(string sqlState) => Assert.Null(PostgresFaultRule.Classify(sqlState));

    [Fact]
    public async Task ARealServerError_IsClassifiedThroughTheClassifier()
    {
        Assert.NotNull(PostgresFaultRule.Instance); // the library is loaded: its rule registered
        var database = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("fault");
        var e = await Assert.ThrowsAsync<PostgresException>(() => PostgresCluster.QueryAsync(database, "SELECT 1/0"));
        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(e).Kind);
        var refused = await Assert.ThrowsAnyAsync<NpgsqlException>(async () =>
        {
            await using var c = new NpgsqlConnection("Host=127.0.0.1;Port=1;Username=u;Password=p;Timeout=3;Pooling=false");
            await c.OpenAsync();
        });
        Assert.Equal(FaultKind.Network, FaultClassifier.Default.Classify(refused).Kind);
    }
}
