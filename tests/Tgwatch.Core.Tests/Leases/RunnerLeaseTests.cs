using Microsoft.Extensions.Logging;
using Tgwatch.Leases;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Leases;

/// <summary>
/// A runner's side of a lease on a stepped clock, against a lease store that keeps time on the same clock: standby until the
/// holder stops renewing, active within the lease time after, renewing while active, lost when taken over or not renewed.
/// </summary>
public sealed class RunnerLeaseTests
{
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(10);
    private readonly SteppedClock _clock = new(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));
    private readonly CollectingLoggerProvider _logs = new();
    private readonly ClockLeases _store;

    public RunnerLeaseTests() => _store = new ClockLeases(_clock);

    private RunnerLease Runner(string host) =>
        new(_store, "botapi/bot42", new RunnerInfo($"{host}:1:x", host, 1, _clock.GetUtcNow()), LeaseTime, new LoggerFactory([_logs]).CreateLogger("lease"), _clock);

    private int Lines(int id) => _logs.Entries.Count(e => e.EventId.Id == id);

    /// <summary>Moves the clock <paramref name="total"/> in quarter-second steps, each with a moment of real time for what it woke to run.</summary>
    private async Task MoveAsync(TimeSpan total)
    {
        for (var moved = TimeSpan.Zero; moved < total; moved += Step)
        {
            _clock.Advance(Step);
            await Task.Delay(TimeSpan.FromMilliseconds(10)); // real time: the continuations the step woke run before the next one
        }
    }

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task AStandby_SaysOnceWhoIsActive_AndTakesOverWithinTheLeaseTime_AfterTheActiveOneStopsRenewing()
    {
        var a = await Runner("a").AcquireAsync(default);
        var waiting = Runner("b").AcquireAsync(default);
        await MoveAsync(LeaseTime * 2); // the active one renews every quarter of the lease, the standby tries as often
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, Lines(3401));

        _store.Freeze("a:1:x"); // the active one hangs: its renewals stop reaching the store
        var died = _clock.GetUtcNow();
        await Eventually.OnClockAsync(_clock, Step, () => waiting.IsCompleted, "the standby active", LeaseTime * 2);
        var b = await waiting;

        Assert.InRange(_store.TakenAt - died, TimeSpan.Zero, LeaseTime);
        Assert.Equal(2, b.Grant.Generation);
        Assert.Equal(1, Lines(3403)); // taken over from a
        Assert.Equal(1, Lines(3401));
        Assert.Equal(b.Grant, _store.Fenced);
        await b.DisposeAsync();
        await a.DisposeAsync();
    }

    [Fact]
    public async Task TheActiveOne_LosesItsLease_WhenAnotherTookItOver_AndSaysItOnce()
    {
        var a = await Runner("a").AcquireAsync(default);
        await _clock.NextWaitAsync(); // its first renewal waits
        _store.TakeOver("z:9:q");
        _clock.Advance(LeaseTime / 4);

        await Eventually.TrueAsync(() => a.Lost.IsCancellationRequested, "the lease lost");
        Assert.Equal("another runner took it over", a.LostBecause);
        Assert.Equal(1, Lines(3404));
        await a.DisposeAsync();
        Assert.Equal("z:9:q", _store.Holder); // a lost lease is not released
        Assert.Equal(0, Lines(3406));
    }

    [Fact]
    public async Task TheActiveOne_LosesItsLease_WhenNoRenewalWorksForAsLongAsOneHoldsIt()
    {
        var a = await Runner("a").AcquireAsync(default);
        _store.Failing = true;
        await _clock.StepThroughAsync(2); // two renewals fail: 5 s without one
        await _clock.NextWaitAsync(); // the third waits: the two failures were taken in
        Assert.False(a.Lost.IsCancellationRequested);
        Assert.Equal(1, Lines(3405)); // said once, not at every try

        _clock.Advance(LeaseTime / 4); // 7.5 s: a standby may have it now
        await Eventually.TrueAsync(() => a.Lost.IsCancellationRequested, "the lease lost");
        Assert.Contains("not renewed for", a.LostBecause, StringComparison.Ordinal);
        await a.DisposeAsync();
    }

    [Fact]
    public async Task AStop_ReleasesTheLease_SoAStandbyTakesItAtItsNextTry()
    {
        var a = await Runner("a").AcquireAsync(default);
        var waiting = Runner("b").AcquireAsync(default);
        await Eventually.TrueAsync(() => Lines(3401) == 1, "the standby line");
        await a.DisposeAsync();
        Assert.Equal(1, Lines(3406));

        var moved = await Eventually.OnClockAsync(_clock, Step, () => waiting.IsCompleted, "the standby active", LeaseTime);
        Assert.True(moved <= LeaseTime / 4 + Step, $"taken after {moved}, not at the next try");
        var b = await waiting;
        Assert.Equal(0, Lines(3403)); // released, not taken from anyone
        await b.DisposeAsync();
    }

    /// <summary>Leases kept on the test's clock, with a holder that can be made to hang or be displaced.</summary>
    private sealed class ClockLeases(TimeProvider clock) : ILeaseStore
    {
        private readonly Lock _sync = new();
        private string? _holder;
        private long _generation;
        private DateTimeOffset _expires;
        private string? _frozen;
        private bool _released;

        public DateTimeOffset TakenAt { get; private set; }

        public bool Failing { get; set; }

        public LeaseGrant? Fenced { get; private set; }

        public string? Holder
        {
            get { lock (_sync) return _holder; }
        }

        public void Freeze(string runner) => _frozen = runner;

        public void TakeOver(string runner)
        {
            lock (_sync)
            {
                _holder = runner;
                _generation++;
                _expires = clock.GetUtcNow() + LeaseTime;
            }
        }

        public ValueTask<LeaseAttempt> TryAcquireAsync(string lease, RunnerInfo runner, TimeSpan ttl, CancellationToken ct)
        {
            if (Failing) throw new TimeoutException("the store does not answer");
            lock (_sync)
            {
                var now = clock.GetUtcNow();
                if (_holder is not null && _expires > now)
                    return ValueTask.FromResult(new LeaseAttempt(null, new LeaseHolder(_holder[..1], 1, now, _expires, _generation, _holder)));
                var from = _holder is null || _released ? null : new LeaseHolder(_holder[..1], 1, now, _expires, _generation, _holder);
                _released = false;
                TakenAt = now;
                _holder = runner.Id;
                _generation++;
                _expires = now + ttl;
                return ValueTask.FromResult(new LeaseAttempt(new LeaseGrant(lease, _generation, runner.Id), null, from));
            }
        }

        public ValueTask<bool> RenewAsync(LeaseGrant grant, TimeSpan ttl, CancellationToken ct)
        {
            if (Failing) throw new TimeoutException("the store does not answer");
            if (grant.RunnerId == _frozen) return ValueTask.FromResult(true); // hung: as if the renewal never left
            lock (_sync)
            {
                if (_holder != grant.RunnerId || _generation != grant.Generation) return ValueTask.FromResult(false);
                _expires = clock.GetUtcNow() + ttl;
                return ValueTask.FromResult(true);
            }
        }

        public ValueTask ReleaseAsync(LeaseGrant grant, CancellationToken ct)
        {
            lock (_sync)
            {
                if (_holder == grant.RunnerId && _generation == grant.Generation) (_expires, _released) = (DateTimeOffset.MinValue, true);
            }
            return ValueTask.CompletedTask;
        }

        public void Fence(LeaseGrant? grant) => Fenced = grant;

        public ValueTask<IReadOnlyList<RunnerRecord>> RunnersAsync(CancellationToken ct) => ValueTask.FromResult<IReadOnlyList<RunnerRecord>>([]);
    }
}
