using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Polly;
using Tgwatch.Faults;
using Tgwatch.Formatting;
using Tgwatch.Resilience;
using Tgwatch.Storage;

namespace Tgwatch.Sinks.Outbox;

/// <summary>How an <see cref="OutboxSender"/> names itself and waits.</summary>
/// <param name="Name">The sink's name: its outbox, and dead-letter stage <c>sink:NAME</c>.</param>
/// <param name="Target">Where records go, in a form safe to log.</param>
/// <param name="MinBackoff">The first backoff step.</param>
/// <param name="MaxBackoff">The longest backoff step.</param>
/// <param name="FailureReminder">While delivery keeps failing, how often that is logged again.</param>
internal sealed record OutboxSenderSettings(string Name, string Target, TimeSpan MinBackoff, TimeSpan MaxBackoff, TimeSpan FailureReminder);

/// <summary>
/// The background half of a sink whose commit is the outbox: one loop takes the oldest records and hands them to
/// <see cref="DeliverAsync"/>, sleeps while the outbox is empty, retries a failing state store until it works, and ends once
/// the outbox is empty after <see cref="Drain"/>. It keeps the counters (<see cref="OutboxSinkStats"/>), the failure streak
/// (one line when delivery starts failing, a reminder while it goes on, one line when it works again) and the dead letters.
/// One instance, one loop: records go out in queue order.
/// </summary>
internal abstract class OutboxSender
{
    private readonly ResiliencePipeline _outbox;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private volatile bool _draining;
    private int _outboxFailures;
    private long _streakAttempts;
    private long _streakStart, _lastReminder;
    private bool _refusalLogged;

    protected OutboxSender(OutboxSenderSettings settings, IStateStore store, TimeProvider time, ILogger logger, Func<double>? randomizer, OutboxSinkStats stats)
    {
        Settings = settings;
        Store = store;
        Time = time;
        Logger = logger;
        Randomizer = randomizer ?? Random.Shared.NextDouble;
        Stats = stats;
        Stage = "sink:" + settings.Name;
        // The state store failed (a delivered record may be sent again): tried again until it works.
        _outbox = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddBackoffRetry(new BackoffRetryOptions
            {
                MinBackoff = settings.MinBackoff,
                MaxBackoff = settings.MaxBackoff,
                Randomizer = Randomizer,
                ShouldHandle = static args => new ValueTask<bool>(
                    args.Outcome.Exception is { } e && !(e is OperationCanceledException && args.Context.CancellationToken.IsCancellationRequested)),
                OnRetry = args =>
                {
                    OutboxFailed(args.Outcome.Exception!, args.RetryDelay);
                    return default;
                },
            })
            .Build();
    }

    public OutboxSinkStats Stats { get; }

    protected OutboxSenderSettings Settings { get; }

    protected IStateStore Store { get; }

    protected TimeProvider Time { get; }

    protected ILogger Logger { get; }

    protected Func<double> Randomizer { get; }

    /// <summary>The dead-letter stage, <c>sink:NAME</c>.</summary>
    protected string Stage { get; }

    /// <summary>The token of <see cref="RunAsync"/>: cancelled when the sender stops.</summary>
    protected CancellationToken Stopping { get; private set; }

    /// <summary>How many of the oldest records one <see cref="DeliverAsync"/> gets.</summary>
    protected abstract int BatchLimit { get; }

    /// <summary>Whether delivery is failing right now.</summary>
    public bool Failing => Stats.failing;

    public void SetPending(long pending) => Interlocked.Exchange(ref Stats.pending, pending);

    public void AddPending(long added) => Interlocked.Add(ref Stats.pending, added);

    /// <summary>Tells the loop that records are waiting.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>From now on the loop ends once the outbox is empty.</summary>
    public void Drain()
    {
        _draining = true;
        Wake();
    }

    /// <summary>Sends until <paramref name="stop"/> is cancelled, or until the outbox is empty after <see cref="Drain"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        Stopping = stop;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (!await _outbox.ExecuteAsync(static (self, token) => self.NextAsync(token), this, stop).ConfigureAwait(false)) return;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Delivers <paramref name="entries"/> (the oldest, in order), or some of them: what is left goes to the next call. Returns
    /// without delivering only when stopping.
    /// </summary>
    protected abstract Task DeliverAsync(IReadOnlyList<OutboxEntry> entries, CancellationToken stop);

    /// <summary>Sends the oldest records, or waits for some; false when the outbox is empty after <see cref="Drain"/>.</summary>
    private async ValueTask<bool> NextAsync(CancellationToken stop)
    {
        _wake.Reader.TryRead(out _);
        var entries = await Store.Outbox.PeekAsync(Settings.Name, BatchLimit, stop).ConfigureAwait(false);
        if (entries.Count == 0)
        {
            OutboxWorks();
            if (_draining) return false;
            await _wake.Reader.WaitToReadAsync(stop).ConfigureAwait(false);
            return true;
        }
        await DeliverAsync(entries, stop).ConfigureAwait(false);
        OutboxWorks();
        return true;
    }

    /// <summary>
    /// One line when the outbox starts failing (a full disk or a locked file needs no stack trace; a bug has one at every
    /// attempt), before the wait.
    /// </summary>
    private void OutboxFailed(Exception e, TimeSpan delay)
    {
        var fault = FaultClassifier.Default.Classify(e, Stopping).Kind;
        if (++_outboxFailures == 1 || fault == FaultKind.Bug)
            OutboxLog.OutboxFailed(Logger, Settings.Name, fault, delay, Secrets.SecretRedactor.Default.Redact($"{e.GetType().Name}: {TextLines.FirstLine(e.Message)}"), fault == FaultKind.Bug ? e : null);
    }

    private void OutboxWorks()
    {
        if (_outboxFailures > 0) OutboxLog.OutboxRecovered(Logger, Settings.Name, _outboxFailures);
        _outboxFailures = 0;
    }

    /// <summary>Deletes delivered records from the outbox, counts them and ends a failure streak.</summary>
    protected async Task DeliveredAsync(IReadOnlyList<OutboxEntry> entries)
    {
        await Store.Outbox.DeleteAsync(Settings.Name, [.. entries.Select(e => e.Id)], CancellationToken.None).ConfigureAwait(false);
        Interlocked.Add(ref Stats.sent, entries.Count);
        Interlocked.Add(ref Stats.pending, -entries.Count);
        EndStreak();
    }

    /// <summary>Moves records to dead letters with the error, and out of the outbox.</summary>
    protected async Task DeadLetterAsync(IReadOnlyList<OutboxEntry> entries, string errorType, string error, FaultKind fault, int attempts)
    {
        var at = Time.GetUtcNow();
        foreach (var entry in entries)
        {
            var letter = new NewDeadLetter(entry.Key, Stage, Encoding.UTF8.GetString(entry.Payload), fault, errorType, error, attempts, at);
            await Store.DeadLetters.AddAsync(letter, CancellationToken.None).ConfigureAwait(false);
        }
        await Store.Outbox.DeleteAsync(Settings.Name, [.. entries.Select(e => e.Id)], CancellationToken.None).ConfigureAwait(false);
        Interlocked.Add(ref Stats.deadLettered, entries.Count);
        Interlocked.Add(ref Stats.pending, -entries.Count);
    }

    /// <summary>Dead-letters records that are not valid JSON, each said once.</summary>
    protected async Task DeadLetterInvalidAsync(IReadOnlyList<OutboxEntry> invalid)
    {
        foreach (var entry in invalid) OutboxLog.InvalidRecord(Logger, Settings.Name, entry.Key, Stage);
        await DeadLetterAsync(invalid, "FormatException", "the queued record is not one JSON value", FaultKind.Bug, 0).ConfigureAwait(false);
    }

    /// <summary>
    /// Counts a failed attempt and logs it: the first failure of a streak once (a refusal once more, as an error, when the
    /// streak turns into one: <paramref name="sayRefusal"/> says it), then a reminder every <see cref="OutboxSenderSettings.FailureReminder"/>.
    /// </summary>
    /// <param name="fault">What kind of failure it was.</param>
    /// <param name="reason">A short reason that names no address.</param>
    /// <param name="exception">The exception, when the attempt threw.</param>
    /// <param name="attemptNumber">The attempt's number in its retry loop, from 1.</param>
    /// <param name="delay">The wait before the next attempt.</param>
    /// <param name="sayRefusal">When the target refuses (rather than fails): writes the line that says so.</param>
    protected void Failed(Fault fault, string reason, Exception? exception, int attemptNumber, TimeSpan delay, Action? sayRefusal = null)
    {
        Interlocked.Increment(ref Stats.failedAttempts);
        Stats.Failures.Add(fault.Kind);
        var now = Time.GetTimestamp();
        var attempts = ++_streakAttempts;
        var refusal = sayRefusal is not null;
        if (!Stats.failing || (refusal && !_refusalLogged))
        {
            if (!Stats.failing)
            {
                _streakStart = _lastReminder = now;
                Interlocked.Exchange(ref Stats.failingSinceTicks, Time.GetUtcNow().UtcTicks);
            }
            Stats.failing = true;
            if (refusal)
            {
                _refusalLogged = true;
                sayRefusal!();
            }
            else
            {
                var level = fault.Kind is FaultKind.Network or FaultKind.Timeout or FaultKind.RateLimited ? LogLevel.Warning : LogLevel.Error;
                // A failure nobody expects (a bug, a local resource) comes with its stack trace.
                OutboxLog.DeliveryFailing(Logger, level, Settings.Name, Settings.Target, fault.Kind, reason, Stats.Pending, level == LogLevel.Error ? exception : null);
            }
        }
        else if (Time.GetElapsedTime(_lastReminder, now) >= Settings.FailureReminder)
        {
            _lastReminder = now;
            OutboxLog.StillFailing(Logger, Settings.Name, Settings.Target, attempts, Time.GetElapsedTime(_streakStart, now), fault.Kind, reason, Stats.Pending);
        }
        OutboxLog.AttemptFailed(Logger, Settings.Name, attemptNumber, fault.Kind, reason, delay);
    }

    /// <summary>The failures so far in this streak (for a backoff waited outside a retry pipeline).</summary>
    protected long StreakAttempts => _streakAttempts;

    /// <summary>Ends a failure streak: one line when one was logged.</summary>
    protected void EndStreak()
    {
        if (Stats.failing)
            OutboxLog.Recovered(Logger, Settings.Name, Settings.Target, _streakAttempts, Time.GetElapsedTime(_streakStart));
        Stats.failing = false;
        _refusalLogged = false;
        _streakAttempts = 0;
    }
}
