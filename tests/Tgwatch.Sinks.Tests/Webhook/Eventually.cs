namespace Tgwatch.Sinks.Tests.Webhook;

internal static class Eventually
{
    /// <summary>Waits (polling) until <paramref name="condition"/> holds; fails the test after <paramref name="seconds"/>.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for: {what}");
            await Task.Delay(10);
        }
    }
}
