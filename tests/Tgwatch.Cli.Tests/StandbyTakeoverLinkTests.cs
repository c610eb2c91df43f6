using System.Globalization;
using Tgwatch.Cli.Login;
using Tgwatch.Connectors;
using Tgwatch.Tdlib;
using Tgwatch.Tdlib.Auth;
using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// A TDLib runner on a shared store reads its session's updates in turns: dropped while it waits for the lease, then its
/// connector's, then dropped again after a lost lease. TDLib tells a session the state of its link and of its authorization
/// once, when they change: a connector that starts after a wait must still know them (a link left "connecting" answers
/// /ready with 503, never tells systemd READY=1, and skips every inline reply look-up).
/// </summary>
public sealed class StandbyTakeoverLinkTests
{
    private const long News = -1001234567890;
    private const string Account = "user5001";

    private static TdlibConnector Connector(ITdSession session, TdDirectory directory) =>
        new(session, new TdUpdateReader(Account, directory), new TdlibConnectorOptions
        {
            Account = Account,
            Chats = [News.ToString(CultureInfo.InvariantCulture)],
            RequestTimeout = TimeSpan.FromSeconds(5),
        });

    /// <summary>Drops the session's updates as a standby does until everything TDLib sent so far is read.</summary>
    private static async Task WaitAsStandbyAsync(TdWorld world, TdSessionTurns turns, TdDirectory directory, Action whileWaiting)
    {
        var discard = new UpdateDiscard(turns.Next().Updates, new TdUpdateReader(Account, directory));
        discard.Start();
        whileWaiting();
        await Eventually.TrueAsync(() => !world.Session.Updates.TryPeek(out _), "the standby read its session's updates");
        await discard.StopAsync();
    }

    /// <summary>
    /// Reads until the first message, then waits (while still reading) for the connector to know that the link is up: its
    /// update loop runs beside the history it reads, so the state may come a moment after the message.
    /// </summary>
    private static async Task ActiveUntilAMessageAndTheLinkUpAsync(TdWorld world, TdlibConnector connector, string text)
    {
        using var cts = new CancellationTokenSource(Eventually.DefaultTimeout);
        await using var reading = connector.ReadAsync(new Dictionary<string, long> { [TdlibConnector.StreamOf(News)] = 0 }, cts.Token).GetAsyncEnumerator(cts.Token);
        world.Post(News, text);
        do Assert.True(await reading.MoveNextAsync());
        while (reading.Current.Message is null);
        // TDLib's link has been up all along and TDLib will not say so again until it changes.
        await Eventually.TrueAsync(() => connector.Status.State == ConnectionState.Ready, "the connector knows the link is up", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AConnectorStartedAfterTheStandbysWait_KnowsTheLinkIsUp()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        var turns = new TdSessionTurns(world.Session);
        var directory = new TdDirectory();
        await WaitAsStandbyAsync(world, turns, directory, () =>
        {
            world.Connection("connectionStateConnecting");
            world.Connection("connectionStateUpdating");
            world.Connection("connectionStateReady");
        });

        await using var connector = Connector(turns.Next(), directory);

        await ActiveUntilAMessageAndTheLinkUpAsync(world, connector, "after the takeover");
    }

    [Fact]
    public async Task AConnectorStartedAfterALostLeaseAndAnotherWait_KnowsTheLinkIsUp_ThoughTheConnectorBeforeItReadTheState()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        var turns = new TdSessionTurns(world.Session);
        var directory = new TdDirectory();
        await WaitAsStandbyAsync(world, turns, directory, () => { });
        await using (var first = Connector(turns.Next(), directory))
        {
            world.Connection("connectionStateReady");
            await ActiveUntilAMessageAndTheLinkUpAsync(world, first, "while active");
        }
        await WaitAsStandbyAsync(world, turns, directory, () => world.Post(News, "while waiting again"));

        await using var second = Connector(turns.Next(), directory);

        await ActiveUntilAMessageAndTheLinkUpAsync(world, second, "after taking over again");
    }

    [Fact]
    public async Task ASessionLoggedOutWhileItsRunnerWaited_EndsTheConnectorThatTakesOver_AsAnAuthorizationLost()
    {
        var world = new TdWorld();
        world.AddChat(News, "News");
        var turns = new TdSessionTurns(world.Session);
        var directory = new TdDirectory();
        await WaitAsStandbyAsync(world, turns, directory, () =>
        {
            world.Connection("connectionStateReady");
            world.Session.Push("""{"@type":"updateAuthorizationState","authorization_state":{"@type":"authorizationStateLoggingOut"}}""");
        });

        await using var connector = Connector(turns.Next(), directory);

        using var cts = new CancellationTokenSource(Eventually.DefaultTimeout);
        var failure = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in connector.ReadAsync(new Dictionary<string, long>(), cts.Token)) { }
        });
        Assert.False(cts.IsCancellationRequested, $"the connector read on until the test's time-out: {failure}");
        Assert.IsType<TdlibAuthorizationLostException>(failure.GetBaseException());
    }
}
