using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tgwatch.TestKit;

namespace Tgwatch.Tdlib.Tests;

/// <summary>The one TDLib runtime of the test process, its log collected.</summary>
internal static class TestHost
{
    private static readonly Lazy<(TdClientHost Host, CollectingLoggerProvider Logs)> Started = new(() =>
    {
        var logs = new CollectingLoggerProvider();
        var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        return (TdClientHost.Start(new TdClientHostOptions { Loggers = factory }), logs);
    });

    public static TdClientHost Host => Started.Value.Host;

    public static CollectingLoggerProvider Logs => Started.Value.Logs;

    // TDLib's public test credentials from its examples (api_id 94575); not a secret of this project.
    public static TdlibParameters Parameters(string dir) => new(dir, 94575, "a3406de8d171bb422bb6ddf3bbd800e2");

    public static string TempDir() => Some.TempDirectory("tgwatch-tdlib");

    public static string? AuthState(JsonElement update) =>
        update.GetProperty("@type").GetString() == "updateAuthorizationState"
            ? update.GetProperty("authorization_state").GetProperty("@type").GetString()
            : null;

    /// <summary>Reads updates until the authorization state <paramref name="state"/>; returns the states seen on the way.</summary>
    public static async Task<List<string>> WaitForStateAsync(TdClient client, string state, TimeSpan? within = null)
    {
        var seen = new List<string>();
        using var cts = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(30));
        try
        {
            await foreach (var update in client.Updates.ReadAllAsync(cts.Token))
            {
                if (AuthState(update) is { } s)
                {
                    seen.Add(s);
                    if (s == state) return seen;
                }
            }
        }
        catch (OperationCanceledException) { }
        throw new Xunit.Sdk.XunitException($"no {state}; states seen: {string.Join(", ", seen)}");
    }

    public static string ChildDll => Repo.Output("tests/Tgwatch.TdlibChild", "Tgwatch.TdlibChild.dll");
}
