using System.Globalization;
using Microsoft.Extensions.Hosting.Systemd;
using Tgwatch.Connectors;
using Tgwatch.Health;

namespace Tgwatch.Cli.Run;

/// <summary>
/// systemd's notify protocol for a run under <c>Type=notify</c> (a <c>NOTIFY_SOCKET</c> in the environment; nothing
/// otherwise): <c>READY=1</c> once the connector's link is first ready, <c>STATUS=</c> with a short line, <c>STOPPING=1</c>
/// when the run begins to drain (when the process stops: not when it loses its lease and waits as standby again, see
/// <see cref="SystemdStandby"/>), and, under <c>WatchdogSec=</c>, <c>WATCHDOG=1</c> at half of <c>WATCHDOG_USEC</c> — but only
/// while the run's loops make progress (<see cref="Heartbeat"/>): a run whose pipeline is stuck stops feeding the watchdog,
/// and systemd restarts it.
/// </summary>
internal sealed class SystemdNotify : IDisposable
{
    private readonly ISystemdNotifier _notifier;
    private readonly IConnector _connector;
    private readonly Heartbeat _heartbeat;
    private readonly TimeSpan _stuckAfter;
    private readonly Func<string> _status;
    private readonly ITimer? _watchdog;
    private int _ready;

    private SystemdNotify(ISystemdNotifier notifier, IConnector connector, Heartbeat heartbeat, TimeSpan stuckAfter, Func<string> status, TimeSpan? watchdog, TimeProvider time)
    {
        _notifier = notifier;
        _connector = connector;
        _heartbeat = heartbeat;
        _stuckAfter = stuckAfter;
        _status = status;
        connector.StatusChanged += OnStatus;
        OnStatus(connector.Status);
        if (watchdog is { } every) _watchdog = time.CreateTimer(static s => ((SystemdNotify)s!).Feed(), this, every, every);
    }

    /// <summary>
    /// The notifier of a run, or null when systemd did not ask for one (<paramref name="notifier"/> disabled).
    /// <paramref name="watchdogUsec"/> and <paramref name="watchdogPid"/> are systemd's <c>WATCHDOG_USEC</c> and <c>WATCHDOG_PID</c>.
    /// </summary>
    public static SystemdNotify? Start(ISystemdNotifier notifier, IConnector connector, Heartbeat heartbeat, TimeSpan stuckAfter, Func<string> status,
        string? watchdogUsec, string? watchdogPid, TimeProvider time)
    {
        if (!notifier.IsEnabled) return null;
        return new SystemdNotify(notifier, connector, heartbeat, stuckAfter, status, WatchdogInterval(watchdogUsec, watchdogPid), time);
    }

    /// <summary>How often to feed the watchdog (half its timeout), or null when there is none for this process.</summary>
    internal static TimeSpan? WatchdogInterval(string? usec, string? pid)
    {
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var micro) || micro <= 0) return null;
        if (pid is not null && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var owner) || owner != Environment.ProcessId)) return null;
        return TimeSpan.FromMicroseconds(micro / 2.0);
    }

    /// <summary>The run begins to drain.</summary>
    public void Stopping() => _notifier.Notify(new ServiceState("STOPPING=1\nSTATUS=stopping: draining what is in flight"));

    private void OnStatus(ConnectionStatus status)
    {
        if (status.State != ConnectionState.Ready || Interlocked.Exchange(ref _ready, 1) == 1) return;
        _notifier.Notify(new ServiceState("READY=1\nSTATUS=" + _status()));
    }

    private void Feed()
    {
        // A stuck loop gets no beat here: the watchdog's timeout ends the process, and Restart= starts it again.
        if (_heartbeat.Stuck(_stuckAfter).Count > 0) return;
        _notifier.Notify(new ServiceState("WATCHDOG=1\nSTATUS=" + _status()));
    }

    public void Dispose()
    {
        _connector.StatusChanged -= OnStatus;
        _watchdog?.Dispose();
    }
}

/// <summary>
/// systemd's notify protocol while a run waits as standby for its account's lease (a shared state store): <c>READY=1</c> at
/// the first wait (the service is up: waiting is its job now, and <c>systemctl start</c> returns), <c>STATUS=</c> with who is
/// active, and under <c>WatchdogSec=</c>, <c>WATCHDOG=1</c> at half of <c>WATCHDOG_USEC</c> (whatever <c>--lease</c> is: its
/// tries may come less often than the watchdog needs) — but only while the standby's tries go on: one whose loop hangs
/// (no try for its hang time) stops feeding the watchdog, and systemd restarts it as it would an active run.
/// </summary>
internal sealed class SystemdStandby : IDisposable
{
    private readonly ISystemdNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly TimeSpan _hungAfter;
    private readonly ITimer? _watchdog;
    private readonly Lock _lock = new();
    private string? _said;
    private long _tried;

    private SystemdStandby(ISystemdNotifier notifier, TimeSpan? watchdog, TimeSpan hungAfter, TimeProvider time)
    {
        _notifier = notifier;
        _hungAfter = hungAfter;
        _time = time;
        _tried = time.GetTimestamp();
        if (watchdog is { } every) _watchdog = time.CreateTimer(static s => ((SystemdStandby)s!).Feed(), this, every, every);
    }

    /// <summary>
    /// The standby's notifier, or null when systemd did not ask for one. <paramref name="hungAfter"/>: how long the standby
    /// may go without a try before its loop counts as hung (its tries' interval and a try's own time).
    /// </summary>
    public static SystemdStandby? Start(ISystemdNotifier notifier, string? watchdogUsec, string? watchdogPid, TimeSpan hungAfter, TimeProvider time) =>
        notifier.IsEnabled ? new SystemdStandby(notifier, SystemdNotify.WatchdogInterval(watchdogUsec, watchdogPid), hungAfter, time) : null;

    /// <summary>The process stops while it waits as standby.</summary>
    public void Stopping() => _notifier.Notify(new ServiceState("STOPPING=1\nSTATUS=stopping"));

    /// <summary>One try of the standby, with its status.</summary>
    public void Waiting(string status)
    {
        lock (_lock)
        {
            _tried = _time.GetTimestamp();
            if (_said is null) _notifier.Notify(new ServiceState("READY=1\nSTATUS=" + status));
            else if (status != _said) _notifier.Notify(new ServiceState("STATUS=" + status));
            _said = status;
        }
    }

    private void Feed()
    {
        lock (_lock)
        {
            // Nothing before the first try has said READY=1; a hung loop gets no beat here: the watchdog's timeout ends the
            // process, and Restart= starts it again.
            if (_said is null || _time.GetElapsedTime(_tried) >= _hungAfter) return;
            _notifier.Notify(new ServiceState("WATCHDOG=1\nSTATUS=" + _said));
        }
    }

    /// <summary>Stops feeding the watchdog (the lease is taken, or the process stops).</summary>
    public void Dispose() => _watchdog?.Dispose();
}
