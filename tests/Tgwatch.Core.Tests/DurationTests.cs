namespace Tgwatch.Core.Tests;

public sealed class DurationTests
{
    [Theory]
    [InlineData(0, "0ms")]
    [InlineData(330, "330ms")]
    [InlineData(1283.9827, "1.3s")]
    [InlineData(3_000, "3s")]
    [InlineData(9_990, "10s")]
    [InlineData(12_400, "12s")]
    [InlineData(125_000, "2m05s")]
    [InlineData(3_600_000, "1h00m")]
    [InlineData(90_000_000, "25h00m")]
    public void Format_WritesDurationsForPeople(double milliseconds, string expected) =>
        Assert.Equal(expected, Duration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Format_OfTheLongestSpan_DoesNotOverflow() =>
        Assert.EndsWith("m", Duration.Format(TimeSpan.MaxValue));
}
