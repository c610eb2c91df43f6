using System.Text.Json;
using System.Threading.Channels;
using Tgwatch.Connectors;
using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Tests.Connector;

/// <summary>The connector over a real TDLib 1.8.65 client, offline (loopback only): what TDLib really sends is read without a fault.</summary>
public sealed class RealTdlibConnectorTests
{
    private readonly TdClientHost _host = TestHost.Host;

    // a client that is not logged in: the connector ends the run with the typed error (exit code 3), not a hang or a crash.
    [Fact]
    public async Task ASessionThatIsNotLoggedIn_EndsTheRunWithTheAuthorizationError()
    {
        var dir = TestHost.TempDir();
        await using var client = _host.CreateClient();
        await client.SetParametersAsync(TestHost.Parameters(dir), TimeSpan.FromSeconds(30));
        await using var connector = new TdlibConnector(client, new TdUpdateReader("user1"), new TdlibConnectorOptions { Account = "user1" });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var e = await Assert.ThrowsAsync<TdlibAuthorizationLostException>(async () =>
        {
            await foreach (var _ in connector.ReadAsync(new Dictionary<string, long>(), cts.Token))
            {
            }
        });
        Assert.StartsWith("authorizationStateWait", e.State, StringComparison.Ordinal);
    }

    // everything else TDLib sends while it tries to connect (options, connection states, ...) is read without one malformed
    // update, and the link state follows TDLib's: connecting, with the reason.
    [Fact]
    public async Task RealUpdates_AreReadWithoutFaults_AndTheLinkStateFollowsTdlib()
    {
        var dir = TestHost.TempDir();
        await using var client = _host.CreateClient();
        var session = new WithoutAuthorizationStates(client);
        await client.SetParametersAsync(TestHost.Parameters(dir), TimeSpan.FromSeconds(30));
        var reader = new TdUpdateReader("user1");
        await using var connector = new TdlibConnector(session, reader, new TdlibConnectorOptions { Account = "user1" });
        var states = new List<ConnectionStatus>();
        connector.StatusChanged += s => { lock (states) states.Add(s); };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        try
        {
            await foreach (var _ in connector.ReadAsync(new Dictionary<string, long>(), cts.Token))
            {
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
        }
        Assert.True(session.Passed > 5, $"{session.Passed} updates");
        Assert.InRange(connector.Stats.Updates, 6, session.Passed); // the last few may be unread when the run stops
        Assert.Equal(0, connector.Stats.Malformed);
        Assert.Equal(0, reader.Stats.Malformed);
        Assert.Equal(ConnectionState.Connecting, connector.Status.State);
        Assert.Contains(connector.Status.Reason, new[] { "connecting", "waiting for network" });
    }

    /// <summary>A real client whose authorization states are held back (as if logged in), everything else passed on.</summary>
    private sealed class WithoutAuthorizationStates : ITdSession
    {
        private readonly TdClient _client;
        private readonly Channel<JsonElement> _updates = Channel.CreateUnbounded<JsonElement>();
        private int _passed;

        public WithoutAuthorizationStates(TdClient client)
        {
            _client = client;
            _ = Task.Run(async () =>
            {
                await foreach (var update in client.Updates.ReadAllAsync())
                {
                    if (TestHost.AuthState(update) is not null) continue;
                    Interlocked.Increment(ref _passed);
                    _updates.Writer.TryWrite(update);
                }
                _updates.Writer.TryComplete();
            });
        }

        public int Passed => Volatile.Read(ref _passed);

        public ChannelReader<JsonElement> Updates => _updates.Reader;

        public Task<JsonElement> SendAsync(TdFunction request, TimeSpan? timeout = null, CancellationToken ct = default) => _client.SendAsync(request, timeout, ct);
    }
}
