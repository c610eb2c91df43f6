using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Tgwatch.Cli.Hosting;
using Tgwatch.Cli.Login;
using Tgwatch.Cli.Run;
using Tgwatch.Leases;
using Tgwatch.Pipeline;
using Tgwatch.Storage;
using Tgwatch.Tdlib.Auth;
using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;

namespace Tgwatch.Postgres.Tests.Leases;

/// <summary>
/// <c>tgwatch run --connector tdlib --state postgres:… --sink postgres:…</c> of one account on one machine, in this process, over
/// a scripted TDLib session (a <see cref="TdWorld"/>) instead of a logged-in one: the run's own loop (<see cref="ActiveStandbyLoop"/>,
/// <see cref="StateAndSinks"/> opening the store and sinks as the run does, <see cref="UpdateDiscard"/> dropping the session's
/// updates while standby), its lease (<see cref="RunnerLease"/>) and a <see cref="MessagePipeline"/> over a
/// <see cref="TdlibConnector"/> as the run makes them. Left out, as they do not take part in a takeover: handlers, media,
/// metrics, systemd. Its lease, its pipeline's state store calls and its sink's writes go through its <see cref="Machine"/> (the
/// opening and closing of the store and sinks do not: a runner comes to them only as it starts, stops, or after it lost its lease).
/// </summary>
internal sealed class TdlibRunner(string name, int pid, TdWorld session, string database, string account, IReadOnlyList<long> chats, TimeSpan lease) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<TdlibConnector> _connectors = new();
    private ILoggerFactory? _logs;
    private MachineStore? _store;
    private int _activeRuns;

    public RunnerInfo Info { get; } = new($"{name}:{pid}:test", $"machine-{name}", pid, DateTimeOffset.UtcNow);

    public TdWorld Session => session;

    public Machine Machine { get; } = new();

    public CollectingLoggerProvider Logs { get; } = new();

    /// <summary>The run; ends when stopped (or with what ended it).</summary>
    public Task Running { get; private set; } = Task.CompletedTask;

    /// <summary>How many times the runner became active (took the lease and ran its pipeline).</summary>
    public int ActiveRuns => Volatile.Read(ref _activeRuns);

    /// <summary>The connector of each active run, in order.</summary>
    public IReadOnlyList<TdlibConnector> Connectors => [.. _connectors];

    /// <summary>The keys the runner's sink wrote, a batch at a time.</summary>
    public ConcurrentQueue<string> Written { get; } = new();

    /// <summary>The commits the runner's pipeline made, with their outcomes.</summary>
    public ConcurrentQueue<CommitSeen> Commits { get; } = new();

    /// <summary>The keys of the runner's commits that went through.</summary>
    public HashSet<string> Committed => [.. Commits.Where(c => c.Failure is null).SelectMany(c => c.Keys)];

    /// <summary>Lines logged with <paramref name="eventId"/>.</summary>
    public List<string> Lines(int eventId) => [.. Logs.Entries.Where(e => e.EventId.Id == eventId).Select(e => e.Message)];

    public void Start()
    {
        _logs = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
        Running = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>Holds the active run's next commit of messages at its start (its batch written to the sinks); done once it is held.</summary>
    public Task HoldNextCommit(TaskCompletionSource release)
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        (_store ?? throw new InvalidOperationException($"{name} is not active")).HoldNextCommit(held, release);
        return held.Task;
    }

    private readonly TdDirectory _directory = new(); // OpenedTdlibSession.Directory
    private TdSessionTurns? _turnsMade;
    private TdSessionTurns Turns => _turnsMade ??= new TdSessionTurns(session.Session); // OpenedTdlibSession's turns at the updates

    // As RunService.ExecuteAsync on a shared state store.
    private async Task RunAsync(CancellationToken stopping)
    {
        var state = $"postgres:{database}";
        var specs = SinkSpec.ParseAll([$"postgres:{database}"]);
        if (specs.Problems.Count > 0) throw new InvalidOperationException(string.Join("; ", specs.Problems));
        // As OpenedTdlibSession: what the session is told of users and chats while it waits is kept for its connector.
        var discard = new UpdateDiscard(Turns.Next().Updates, new TdUpdateReader(account, _directory));
        try
        {
            await ActiveStandbyLoop.RunAsync(
                (beforeSinks, ct) => StateAndSinks.OpenAsync(state, specs.Specs, _logs!, null, ct, beforeSinks: beforeSinks),
                (store, ct) => TakeLeaseAsync(store, discard, ct),
                RunActiveAsync,
                stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    // As RunService.TakeLeaseAsync, without systemd: the lease of the account's TDLib runners, the session's updates dropped meanwhile.
    private async Task<ActiveLease> TakeLeaseAsync(IStateStore store, UpdateDiscard discard, CancellationToken ct)
    {
        var leases = new MachineLeases((ILeaseStore)store, Machine);
        var runner = new RunnerLease(leases, $"{TdlibConnector.ConnectorName}/{account}", Info, lease, _logs!.CreateLogger("Tgwatch.Lease"));
        discard.Start();
        try
        {
            return await runner.AcquireAsync(ct);
        }
        finally
        {
            await discard.StopAsync();
        }
    }

    // As RunService.RunActiveAsync with a TDLib session (TdlibRun.Connector), without handlers, media, metrics and systemd.
    private async Task RunActiveAsync(StateAndSinks opened, CancellationToken active)
    {
        await using var connector = new TdlibConnector(Turns.Next(), new TdUpdateReader(account, _directory), new TdlibConnectorOptions
        {
            Account = account,
            Chats = [.. chats.Select(c => c.ToString(CultureInfo.InvariantCulture))],
            RequestTimeout = TimeSpan.FromSeconds(5),
        }, _logs!.CreateLogger("Tgwatch.Tdlib.Connector"));
        _connectors.Enqueue(connector);
        _store = new MachineStore(opened.Store, Machine, Commits);
        var sinks = opened.Sinks.Select(s => (IMessageSink)new MachineSink(s, Machine, Written)).ToList();
        // The run's defaults, but for the drain: what is left of a dead machine's run at the end of a test is not waited for 10 s.
        var pipeline = new MessagePipeline(connector, sinks, _store, new PipelineOptions { DrainTimeout = TimeSpan.FromSeconds(2) }, [], [], _logs!.CreateLogger("Tgwatch.Pipeline"));
        Interlocked.Increment(ref _activeRuns);
        await pipeline.RunAsync(active);
        await opened.CloseSinksAsync();
    }

    /// <summary>Stops the runner as SIGTERM does (drain, commit, release the lease); what is left of a dead one ends too.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        Machine.Bury();
        await Running.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (Exception)
        {
            // The test failed already, or says how the run ended.
        }
        _logs?.Dispose();
        _stopping.Dispose();
    }
}
