using System.Globalization;
using Npgsql;
using Tgwatch.Leases;
using Tgwatch.Tdlib.Connector;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Postgres.Tests.Leases;

/// <summary>
/// Two TDLib runners of one account on one PostgreSQL state store and sink, as on two machines, each with a session of its own
/// (<see cref="OneAccount"/>: the same chats and message ids in each): the first is active, the second waits as standby, its
/// session's updates dropped. When the active one dies (kill -9) or is paused past its lease, the standby takes over within the
/// lease time and catches up through its own session's history from the account's checkpoints; a paused one that resumes commits
/// nothing and waits as standby. Every message is in <c>tgwatch_messages</c> once, the processed keys and checkpoints are the
/// account's. TDLib cannot log in offline, so the runners are <see cref="TdlibRunner"/>s in this process on scripted sessions.
/// The lease is timed by real clocks: it runs out on the database's (<c>now()</c>), which no fake clock moves, and a runner's
/// renewals must keep pace with it as they do in the product.
/// </summary>
public sealed class TdlibStandbyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const long News = -1001234567890;
    private const long Talk = -1009876543210;
    private const string Account = "user5001";
    private const int StandbyLine = 3401, TookOverLine = 3403, LostLine = 3404;
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(2);
    // A standby tries every quarter of the lease; each try is a round trip to the database, which a loaded machine slows.
    private static readonly TimeSpan TakeoverMargin = TimeSpan.FromSeconds(1);
    private readonly OneAccount _account = new(sessions: 2);
    private readonly List<TdlibRunner> _runners = [];
    private string _database = "";

    public async Task InitializeAsync()
    {
        _database = await (await PostgresCluster.SharedAsync()).CreateDatabaseAsync("tdstandby");
        _account.AddChat(News, "News");
        _account.AddChat(Talk, "Talk");
        for (var i = 0; i < 3; i++)
        {
            _account.Before(News, $"old news {i}");
            _account.Before(Talk, $"old talk {i}");
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var r in _runners)
        {
            await r.DisposeAsync();
            output.WriteLine($"--- {r.Info.Host}");
            foreach (var e in r.Logs.Entries) output.WriteLine($"{e.Level} {e.Category}: {e.Message}{(e.Exception is { } x ? $" ({x.GetType().Name}: {x.Message})" : "")}");
        }
    }

    private TdlibRunner Runner(string name, int pid, int session)
    {
        var runner = new TdlibRunner(name, pid, _account.Sessions[session], _database, Account, [News, Talk], LeaseTime);
        _runners.Add(runner);
        return runner;
    }

    /// <summary>A active (the chats' starting points committed), B standby behind it, and a first lot of messages committed by A.</summary>
    private async Task<(TdlibRunner A, TdlibRunner B)> ActiveAndStandbyAsync()
    {
        var a = Runner("a", 101, 0);
        a.Start();
        await Eventually.TrueAsync(async () => a.ActiveRuns == 1 && (await CheckpointsAsync()).Count == 2, "a active, where the chats are committed", running: a.Running);
        var b = Runner("b", 202, 1);
        b.Start();
        await Eventually.TrueAsync(() => b.Lines(StandbyLine).Count == 1, "b standby", running: b.Running);
        _account.Post(30, "first", News, Talk);
        await AllCommittedAsync();
        return (a, b);
    }

    [Fact]
    public async Task AStandbyOnASessionOfItsOwn_TakesOverFromARunnerKilled9_FromTheAccountsCheckpoints_EveryMessageOnce()
    {
        var (a, b) = await ActiveAndStandbyAsync();

        // Killed between writing a batch to the sink and committing it.
        var held = a.HoldNextCommit(new TaskCompletionSource());
        var second = _account.Post(30, "second", News, Talk);
        await held.WaitAsync(Eventually.DefaultTimeout);
        var atKill = await CheckpointsAsync();
        var killedAt = await DatabaseNowAsync();
        a.Machine.Kill();
        _account.Silence(a.Session);
        var third = _account.Post(30, "third", News, Talk); // while B waits still, or is taking over
        await Eventually.TrueAsync(() => b.ActiveRuns == 1, "b active", running: b.Running);
        await AllCommittedAsync();
        var fourth = _account.Post(10, "fourth", News, Talk);
        await AllCommittedAsync();
        await b.StopAsync();

        await EveryMessageOnceAsync();
        await TakenOverWithinTheLeaseAsync(a, b, killedAt);
        FromTheCheckpointsOf(a, b, atKill);
        // B's session told of the first two lots while B waited: dropped; B read them from its history.
        var stats = b.Connectors.Single().Stats;
        Assert.True(stats.HistoryMessages >= second.Count, $"{stats.HistoryMessages} messages from history");
        Assert.InRange(stats.NewMessages, fourth.Count, third.Count + fourth.Count);
    }

    [Fact]
    public async Task ARunnerPausedPastItsLease_CommitsNothingWhenItResumes_AndWaitsAsStandby_WhileTheOneThatTookOverWritesEveryMessageOnce()
    {
        var (a, b) = await ActiveAndStandbyAsync();

        // Paused as it was about to commit a batch it wrote to the sink; the commit goes on when it resumes.
        var release = new TaskCompletionSource();
        var held = a.HoldNextCommit(release);
        _account.Post(30, "second", News, Talk);
        await held.WaitAsync(Eventually.DefaultTimeout);
        var atPause = await CheckpointsAsync();
        var pausedAt = await DatabaseNowAsync();
        a.Machine.Pause();
        var paused = a.Machine.Epoch;
        release.SetResult();
        _account.Post(30, "third", News, Talk); // A's TDLib hears of them too: paused, not dead
        await Eventually.TrueAsync(() => b.ActiveRuns == 1, "b active", running: b.Running);
        await AllCommittedAsync();
        var beforeResume = await CheckpointsAsync();

        a.Machine.Resume();
        await Eventually.TrueAsync(() => a.Lines(LostLine).Count == 1 && a.Lines(StandbyLine).Count == 1, "a lost its lease and waits as standby", running: a.Running);
        Assert.Equal(beforeResume, await CheckpointsAsync());
        _account.Post(10, "fourth", News, Talk);
        await AllCommittedAsync();
        await a.StopAsync(); // first: a standby still there when B releases the lease would take it
        await b.StopAsync();

        // Every commit A made from its pause on was refused, the one it was making first among them; it never became active again.
        var late = a.Commits.Where(c => c.Epoch >= paused).ToList();
        Assert.NotEmpty(late);
        Assert.All(late, c => Assert.IsType<LeaseLostException>(c.Failure));
        Assert.Equal(1, a.ActiveRuns);
        await EveryMessageOnceAsync();
        await TakenOverWithinTheLeaseAsync(a, b, pausedAt);
        FromTheCheckpointsOf(a, b, atPause);
        Assert.Contains($"is active on machine-b pid {b.Info.Pid}", a.Lines(StandbyLine).Single(), StringComparison.Ordinal);
        // Found out by the renewal or by the refused commit, whichever came first: one line.
        Assert.Matches("^lost the lease of tdlib/user5001: (another runner took it over|a commit was refused: another runner holds it);", a.Lines(LostLine).Single());
    }

    // TDLib tells a session of a user once (updateUser), before the first message of that user the session is shown, and never
    // again. The standby's session is told while it waits, and the standby drops that with every other update: the records it
    // writes once it took over must name the sender all the same, as those of the runner before it did.
    [Fact]
    public async Task ARunnerThatTookOver_NamesTheSender_WhomTdlibToldItsSessionOfWhileItWaited()
    {
        foreach (var session in _account.Sessions) session.NameSender("Ann", "Lee", "annlee");
        var (a, b) = await ActiveAndStandbyAsync();
        a.Machine.Kill();
        _account.Silence(a.Session);
        _account.Post(20, "second", News, Talk);
        await Eventually.TrueAsync(() => b.ActiveRuns == 1, "b active", running: b.Running);
        await AllCommittedAsync();
        await b.StopAsync();

        await EveryMessageOnceAsync();
        await SendersNamedAsync(b);
    }

    // The same for the first runner, which takes the lease at its first try: what TDLib told its session before (while the run
    // opened the session, the updates that TdAuthorizedSession keeps for the connector) is dropped as a standby's would be.
    [Fact]
    public async Task ARunnerTakingTheLeaseAtOnce_NamesTheSender_WhomTdlibToldItsSessionOfBeforeItTookTheLease()
    {
        foreach (var session in _account.Sessions) session.NameSender("Ann", "Lee", "annlee");
        _account.Before(News, "while the run opened its session", live: true);
        var a = Runner("a", 101, 0);
        a.Start();
        await Eventually.TrueAsync(async () => a.ActiveRuns == 1 && (await CheckpointsAsync()).Count == 2, "a active, where the chats are committed", running: a.Running);
        _account.Post(10, "first", News, Talk);
        await AllCommittedAsync();
        await a.StopAsync();

        await EveryMessageOnceAsync();
        await SendersNamedAsync(b: null);
    }

    /// <summary>Every record names the sender as TDLib told of it; those that do not are listed, with how many of them <paramref name="b"/> wrote.</summary>
    private async Task SendersNamedAsync(TdlibRunner? b)
    {
        var senders = await QueryAsync("SELECT chat_id, message_id, record->'sender'->>'name', record->'sender'->>'username' FROM tgwatch_messages ORDER BY chat_id, message_id",
            r => (Chat: r.GetInt64(0), Id: r.GetInt64(1), Name: r.IsDBNull(2) ? null : r.GetString(2), Username: r.IsDBNull(3) ? null : r.GetString(3)));
        var writtenByB = b is null ? [] : b.Written.Select(Ref).ToHashSet();
        var unnamed = senders.Where(s => (s.Name, s.Username) != ("Ann Lee", "annlee")).ToList();
        Assert.True(unnamed.Count == 0,
            $"{unnamed.Count} of {senders.Count} records name no sender"
            + (b is null ? "" : $" ({unnamed.Count(u => writtenByB.Contains((u.Chat, u.Id)))} of them written by b, which took over)") + ": "
            + string.Join(", ", unnamed.Take(10).Select(u => $"{u.Chat}/{u.Id} {u.Name ?? "null"} @{u.Username ?? "null"}")));
    }

    /// <summary>Every message posted is in the sink once, as a new message of the account, and its key is processed once.</summary>
    private async Task EveryMessageOnceAsync()
    {
        var rows = await QueryAsync("SELECT chat_id, message_id, kind, account, connector, key FROM tgwatch_messages",
            r => (Chat: r.GetInt64(0), Id: r.GetInt64(1), Kind: r.GetString(2), Account: r.GetString(3), Connector: r.GetString(4), Key: r.GetString(5)));
        Assert.Equal(_account.Posted.Order(), rows.Select(r => (r.Chat, r.Id)).Order());
        Assert.All(rows, r => Assert.Equal(("new", Account, "tdlib"), (r.Kind, r.Account, r.Connector)));
        var processed = await QueryAsync("SELECT key FROM tgwatch_processed", r => r.GetString(0));
        Assert.Equal(rows.Select(r => r.Key).Order(StringComparer.Ordinal), processed.Order(StringComparer.Ordinal));
        // The checkpoints are the account's: one per chat, at its last message, none of a session.
        Assert.Equal(new Dictionary<string, long> { [Stream(News)] = LastOf(News), [Stream(Talk)] = LastOf(Talk) }, await CheckpointsAsync());
        Assert.Equal(2L, await PostgresCluster.QueryAsync(_database, "SELECT count(*) FROM tgwatch_checkpoints"));
    }

    /// <summary>B took the lease over from A (the next generation), within the lease time of A's last moment, and released it at its stop.</summary>
    private async Task TakenOverWithinTheLeaseAsync(TdlibRunner a, TdlibRunner b, DateTimeOffset lastMoment)
    {
        var lease = (await QueryAsync("SELECT generation, holder, since, released FROM tgwatch_leases WHERE name = 'tdlib/user5001'",
            r => (Generation: r.GetInt64(0), Holder: r.GetString(1), Since: r.GetFieldValue<DateTimeOffset>(2), Released: r.GetBoolean(3)))).Single();
        Assert.Equal((2L, b.Info.Id, true), (lease.Generation, lease.Holder, lease.Released));
        Assert.Contains($"taken over from machine-a pid {a.Info.Pid}", b.Lines(TookOverLine).Single(), StringComparison.Ordinal);
        Assert.InRange(lease.Since - lastMoment, TimeSpan.Zero, LeaseTime + TakeoverMargin);
    }

    /// <summary>
    /// B went on from the checkpoints A left: it wrote nothing A had committed, and in each chat it began right after A's checkpoint;
    /// what A wrote without committing it, B wrote again (to the same rows).
    /// </summary>
    private static void FromTheCheckpointsOf(TdlibRunner a, TdlibRunner b, IReadOnlyDictionary<string, long> left)
    {
        var committedByA = a.Committed;
        var writtenByB = b.Written.ToHashSet(StringComparer.Ordinal);
        Assert.Empty(writtenByB.Intersect(committedByA));
        foreach (var chat in (long[])[News, Talk])
            Assert.Equal(left[Stream(chat)] + 1, writtenByB.Select(Ref).Where(m => m.Chat == chat).Min(m => m.Id));
        var notCommitted = a.Written.Except(committedByA).ToList();
        Assert.NotEmpty(notCommitted);
        Assert.Subset(writtenByB, notCommitted.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>Waits until every message posted is processed and the checkpoints are at each chat's last message.</summary>
    private Task AllCommittedAsync() => Eventually.TrueAsync(async () =>
    {
        var processed = (await QueryAsync("SELECT chat_id, message_id FROM tgwatch_processed", r => (r.GetInt64(0), r.GetInt64(1)))).ToHashSet();
        var checkpoints = await CheckpointsAsync();
        return _account.Posted.All(processed.Contains)
            && checkpoints.GetValueOrDefault(Stream(News)) == LastOf(News) && checkpoints.GetValueOrDefault(Stream(Talk)) == LastOf(Talk);
    }, $"the {_account.Posted.Count} messages posted committed");

    private long LastOf(long chat) => _account.Sessions[0].MessagesOf(chat)[^1].Id;

    private static string Stream(long chat) => TdlibConnector.StreamOf(chat);

    /// <summary>The chat and message of a key (<c>account:chat:message:kind:edit</c>).</summary>
    private static (long Chat, long Id) Ref(string key)
    {
        var parts = key.Split(':');
        return (long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    private async Task<Dictionary<string, long>> CheckpointsAsync() =>
        (await QueryAsync($"SELECT stream, position FROM tgwatch_checkpoints WHERE account = '{Account}' AND connector = 'tdlib'", r => (r.GetString(0), r.GetInt64(1))))
        .ToDictionary(c => c.Item1, c => c.Item2, StringComparer.Ordinal);

    private async Task<DateTimeOffset> DatabaseNowAsync() => (await QueryAsync("SELECT now()", r => r.GetFieldValue<DateTimeOffset>(0))).Single();

    private async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(_database + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<T>();
            while (await reader.ReadAsync()) rows.Add(read(reader));
            return rows;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return []; // not made yet: nothing has run
        }
    }
}
