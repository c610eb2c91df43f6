using Tgwatch.Faults;

namespace Tgwatch.Connectors;

/// <summary>
/// A connector's link state, with the debounce of ARCHITECTURE §1: a drop that recovers within the grace
/// period is not a state change worth a line, only counted (and summed up at most once a minute); the
/// link is reported down once it has been unusable for the grace period, and up again (with how long it
/// was down) only after a reported down. The state itself (<see cref="Status"/>) always tells the truth.
/// A failure arms a timer for the end of the grace period, so a link that stays down gets its line then,
/// not only at the connector's next failed attempt (which may come much later: a long poll, a backoff, or
/// TDLib, which tells a state once).
/// </summary>
public sealed class LinkMonitor : IDisposable
{
    private readonly TimeSpan _grace;
    private readonly TimeProvider _time;
    private readonly ILinkReport _report;
    private readonly Lock _sync = new();
    private readonly TimeSpan _summaryWindow = TimeSpan.FromMinutes(1);
    private DateTimeOffset _downSince;
    private bool _downReported;
    private int _shortDrops;
    private DateTimeOffset _windowStart;
    private FaultKind _lastFault = FaultKind.Network;
    private ITimer? _graceTimer;
    private bool _everUp;

    /// <summary>A monitor starting in <see cref="ConnectionState.Connecting"/>.</summary>
    public LinkMonitor(TimeSpan grace, TimeProvider time, ILinkReport report)
    {
        _grace = grace;
        _time = time;
        _report = report;
        _windowStart = _downSince = time.GetUtcNow();
        Status = new ConnectionStatus(ConnectionState.Connecting, "starting", _downSince);
        Stats = new LinkStats(Ongoing);
        Stats.Changed(Status);
    }

    /// <summary>Reconnections and time down since the monitor started.</summary>
    public LinkStats Stats { get; }

    /// <summary>The link's state now.</summary>
    public ConnectionStatus Status { get; private set; }

    /// <summary>Raised on every state change.</summary>
    public event Action<ConnectionStatus>? Changed;

    /// <summary>An attempt failed; the link is (or stays) down.</summary>
    public void Failed(FaultKind fault, string reason)
    {
        ConnectionStatus? changed = null;
        Action? report = null;
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            _lastFault = fault;
            if (Status.State != ConnectionState.Connecting || Status.Reason != reason)
            {
                var wasUp = Status.State != ConnectionState.Connecting; // ready, or stopped and used again
                if (wasUp) _downSince = now;
                changed = Status = new ConnectionStatus(ConnectionState.Connecting, reason, wasUp ? now : Status.Since);
                if (wasUp) Stats.Changed(changed);
            }
            report = DownIfGraceOver(now);
            if (report is null && !_downReported && _graceTimer is null) ArmGraceTimer(now);
        }
        if (changed is not null) Changed?.Invoke(changed);
        report?.Invoke();
    }

    /// <summary>An attempt worked and fetched <paramref name="updates"/> updates; the link is up.</summary>
    public void Succeeded(int updates)
    {
        ConnectionStatus? changed = null;
        Action? report = null;
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            DisarmGraceTimer();
            if (Status.State != ConnectionState.Ready)
            {
                if (_everUp && Status.State == ConnectionState.Connecting)
                {
                    Interlocked.Increment(ref Stats.reconnects);
                    Interlocked.Add(ref Stats.downTicks, (now - _downSince).Ticks);
                }
                _everUp = true;
                var wasStarting = Status.Reason == "starting";
                changed = Status = new ConnectionStatus(ConnectionState.Ready, null, now);
                Stats.Changed(changed);
                if (_downReported)
                {
                    var downtime = now - _downSince;
                    report = () => _report.Up(downtime, updates);
                }
                else if (!wasStarting)
                {
                    _shortDrops++;
                }
                _downReported = false;
            }
            if (_shortDrops > 0 && now - _windowStart >= _summaryWindow)
            {
                var (drops, window) = (_shortDrops, now - _windowStart);
                var previous = report;
                report = () =>
                {
                    previous?.Invoke();
                    _report.ShortDrops(drops, window, _grace);
                };
                _shortDrops = 0;
                _windowStart = now;
            }
            else if (_shortDrops == 0)
            {
                _windowStart = now;
            }
        }
        if (changed is not null) Changed?.Invoke(changed);
        report?.Invoke();
    }

    /// <summary>The connector waits <paramref name="wait"/> because the server asked it to slow down (counted in <see cref="LinkStats.FloodWait"/>).</summary>
    public void RateLimited(TimeSpan wait)
    {
        if (wait > TimeSpan.Zero) Interlocked.Add(ref Stats.floodWaitTicks, wait.Ticks);
    }

    /// <summary>The link is closed on purpose.</summary>
    public void Stopped()
    {
        ConnectionStatus changed;
        var now = _time.GetUtcNow();
        (int Drops, TimeSpan Window)? pending = null;
        lock (_sync)
        {
            if (Status.State == ConnectionState.Disconnected) return;
            DisarmGraceTimer();
            changed = Status = new ConnectionStatus(ConnectionState.Disconnected, "stopped", now);
            Stats.Changed(changed);
            // Drops not summed up yet are told at the end, so none goes uncounted.
            if (_shortDrops > 0) pending = (_shortDrops, now - _windowStart);
            _shortDrops = 0;
        }
        Changed?.Invoke(changed);
        if (pending is { } p) _report.ShortDrops(p.Drops, p.Window, _grace);
    }

    // The outage going on now, once the link has been up.
    private TimeSpan Ongoing()
    {
        lock (_sync)
        {
            return _everUp && Status.State == ConnectionState.Connecting ? _time.GetUtcNow() - _downSince : TimeSpan.Zero;
        }
    }

    /// <summary>Stops the monitor (<see cref="Stopped"/>): no line comes from it any more.</summary>
    public void Dispose() => Stopped();

    // The grace period is over and no attempt since said up: the link is down with what it last said.
    private void GraceOver()
    {
        Action? report;
        lock (_sync)
        {
            _graceTimer?.Dispose();
            _graceTimer = null;
            if (Status.State != ConnectionState.Connecting) return;
            var now = _time.GetUtcNow();
            report = DownIfGraceOver(now);
            // A timer may fire a little before the wall clock says the grace is over (they are different clocks): wait the rest.
            if (report is null && !_downReported) ArmGraceTimer(now);
        }
        report?.Invoke();
    }

    private Action? DownIfGraceOver(DateTimeOffset now)
    {
        if (_downReported || now - _downSince < _grace) return null;
        _downReported = true;
        DisarmGraceTimer();
        var (since, fault, reason) = (_downSince, _lastFault, Status.Reason ?? "connecting");
        return () => _report.Down(since, fault, reason);
    }

    private void ArmGraceTimer(DateTimeOffset now)
    {
        var rest = _downSince + _grace - now;
        _graceTimer = _time.CreateTimer(static s => ((LinkMonitor)s!).GraceOver(), this, rest > TimeSpan.FromMilliseconds(1) ? rest : TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
    }

    private void DisarmGraceTimer()
    {
        _graceTimer?.Dispose();
        _graceTimer = null;
    }

    /// <summary>A duration as people read it: 850ms, 1.3s, 12s, 1m12s, 2h03m (<see cref="Duration.Format"/>).</summary>
    public static string Format(TimeSpan d) => Duration.Format(d);
}

/// <summary>Where a <see cref="LinkMonitor"/> reports (a connector's log lines).</summary>
public interface ILinkReport
{
    /// <summary>The link has been unusable for the grace period.</summary>
    void Down(DateTimeOffset since, FaultKind fault, string reason);

    /// <summary>The link works again after a reported down.</summary>
    void Up(TimeSpan downtime, int updates);

    /// <summary>Drops that recovered within the grace period, summed up.</summary>
    void ShortDrops(int drops, TimeSpan window, TimeSpan grace);
}
