using Tgwatch.Secrets;
using Microsoft.Extensions.Logging;
using Tgwatch.Sandbox.Faults;
using Tgwatch.TestKit;

namespace Tgwatch.Sandbox.Tests;

/// <summary>The sandbox's logs, its own and ASP.NET Core's, never hold a token.</summary>
public sealed class LoggingTests
{
    [Fact]
    public async Task NoLogLine_HoldsAToken_EvenAtTraceLevel()
    {
        var collected = new CollectingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(collected));
        var token = BotToken.Generate();
        await using (var s = await Running.StartAsync(new SandboxOptions { Tokens = [token], LoggerFactory = factory }))
        {
            await s.Bot.GetAsync("getMe");
            await s.Bot.GetAsync("getUpdates", "timeout=0");
            await s.Bot.GetAsync("noSuchMethod");
            await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Drop });
            await Assert.ThrowsAsync<HttpRequestException>(() => s.Bot.GetAsync("getMe"));
            await s.Bot.GetAsync("getMe", token: "42:AAanother-secret-token");
        }

        var entries = collected.Entries;
        // ASP.NET Core logs each request with its path: the token's place shows the mask.
        Assert.Contains(entries, e => e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            && e.Message.Contains("/bot<redacted>/getMe", StringComparison.Ordinal));
        var secret = token[(token.IndexOf(':', StringComparison.Ordinal) + 1)..];
        foreach (var e in entries)
        {
            Assert.DoesNotContain(secret, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("another-secret-token", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, e.Exception?.ToString() ?? "", StringComparison.Ordinal);
        }
    }
}
