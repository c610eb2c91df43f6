using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tgwatch.Faults;
using Tgwatch.Formatting;
using Tgwatch.Messages;
using Tgwatch.Noise;
using Tgwatch.Pipeline;
using Tgwatch.Resilience;

namespace Tgwatch.Cli.Handlers;

/// <summary>
/// A handler in any language: a long-running child process speaking JSON lines. Each message is one line on its stdin,
/// <c>{"key": "…", "record": {…}}</c> (the record as the JSONL sink writes it); the child answers one line per message on
/// stdout, <c>{"key": "…", "ok": true}</c> or <c>{"key": "…", "ok": false, "error": "…", "retry": false}</c>, in any order,
/// with up to <see cref="ExecHandlerOptions.MaxInFlight"/> messages at a time.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A refusal with <c>retry: true</c> is a transient fault (retried with backoff by the pipeline's handler policy); without
/// it, a defect of the message (a dead letter with the child's error, replayable through the same handler).</item>
/// <item>A child that exits is started again, after a backoff when it keeps dying: the messages it had not answered fail as
/// transient faults and are sent again to the next child. A child that does not answer within <see cref="Timeout"/> is
/// killed and started again the same way.</item>
/// <item>Its stderr goes through the noise gate into the log, each line prefixed with the handler's name: connection noise
/// collapsed and counted, real errors loud. A stdout line that is not an answer is logged once per kind of mistake, never
/// taken for an answer.</item>
/// <item>When the run stops (<see cref="DisposeAsync"/>) the child gets EOF on stdin and <see cref="ExecHandlerOptions.DrainTime"/>
/// to exit, then SIGTERM, then SIGKILL.</item>
/// </list>
/// </remarks>
internal sealed partial class ExecHandler : IMessageHandler, IAsyncDisposable
{
    private readonly ExecHandlerOptions _options;
    private readonly ILogger _logger;
    private readonly NoiseGate _gate;
    private readonly NoiseRules _rules;
    private readonly NoiseOptions _noise;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _starting = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> _strayKinds = new(StringComparer.Ordinal);
    private ExecChild? _child;
    private int _deathsInARow;
    private long _lastExit;
    private bool _disposed;

    static ExecHandler() => FaultClassifier.Register(ExecHandlerFaultRule.Instance);

    /// <param name="options">The command and its limits.</param>
    /// <param name="logger">Where its lines go (its stderr too, through <paramref name="gate"/>).</param>
    /// <param name="gate">The run's noise gate, which counts what the child's stderr has hidden.</param>
    /// <param name="rules">The rule packs that tell connection noise in the child's stderr.</param>
    /// <param name="noise">The noise gate's options.</param>
    /// <param name="time">The clock.</param>
    public ExecHandler(ExecHandlerOptions options, ILogger logger, NoiseGate gate, NoiseRules rules, NoiseOptions noise, TimeProvider time)
    {
        _options = options;
        _logger = logger;
        _gate = gate;
        _rules = rules;
        _noise = noise;
        _time = time;
        _slots = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
        Name = options.Name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>
    /// The pipeline's limit for a whole call: a safety net only. The child's own <see cref="ExecHandlerOptions.Timeout"/> runs
    /// from when it has the message (then it is taken for hung); before that a call may wait for a slot (others' answers, each
    /// within that time) and a restart (at most <see cref="ExecHandlerOptions.MaxBackoff"/>).
    /// </summary>
    public TimeSpan? Timeout => _options.Timeout * (_options.MaxInFlight + 8) + _options.MaxBackoff;

    /// <summary>Children started so far (the first included).</summary>
    public int Starts { get; private set; }

    /// <inheritdoc />
    public async ValueTask HandleAsync(TgMessage message, CancellationToken ct)
    {
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var child = await ChildAsync(ct).ConfigureAwait(false);
            var answer = child.Expect(message.Key);
            try
            {
                await child.SendAsync(Line(message), ct).ConfigureAwait(false);
                // The child's time runs from when it has the message: waiting for a slot or a restart is not its to answer for.
                bool ok, retry;
                string? error;
                try
                {
                    (ok, error, retry) = await answer.WaitAsync(_options.Timeout, _time, ct).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    child.Forget(message.Key);
                    if (_disposed) throw;
                    var limit = global::Tgwatch.Duration.Format(_options.Timeout);
                    ExecLog.Hung(_logger, Name, message.Key, limit);
                    child.Kill();
                    throw new ExecHandlerException(FaultKind.Timeout, $"{Name} did not answer {message.Key} within {limit}");
                }
                if (ok)
                {
                    Interlocked.Exchange(ref _deathsInARow, 0);
                    return;
                }
                throw new ExecHandlerException(retry ? FaultKind.Network : FaultKind.Bug,
                    $"{Name} refused {message.Key}{(retry ? " (to be retried)" : "")}: {error ?? "no reason given"}");
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The run stops (or the pipeline's own limit for the whole call came first): the answer is not waited for.
                child.Forget(message.Key);
                throw;
            }
            catch (IOException e) when (child.HasExited || !child.IsAlive)
            {
                // Its stdin closed under us: it died while we wrote.
                child.Forget(message.Key);
                throw new ExecHandlerException(FaultKind.Network, $"{Name} exited before it took {message.Key}", e);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Starts the first child (a program that cannot be started is said before any message waits for it).</summary>
    /// <exception cref="ExecHandlerException">It cannot be started.</exception>
    public async Task StartAsync(CancellationToken ct) => await ChildAsync(ct).ConfigureAwait(false);

    /// <summary>The line a message is sent as: <c>{"key": "…", "record": {…}}</c> and a line end.</summary>
    internal static byte[] Line(TgMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer, TgMessageJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("key", message.Key);
            json.WritePropertyName("record");
            TgMessageJson.Write(json, message, full: false);
            json.WriteEndObject();
        }
        var line = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(line);
        line[^1] = (byte)'\n';
        return line;
    }

    /// <summary>The running child, or a new one (after a backoff when the last ones kept dying).</summary>
    private async ValueTask<ExecChild> ChildAsync(CancellationToken ct)
    {
        if (_child is { IsAlive: true } running) return running;
        await _starting.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_child is { IsAlive: true } started) return started;
            if (_child is { } dead)
            {
                // Forgotten at once: the backoff below may be cancelled, and a stop must not find it half gone.
                _child = null;
                await dead.DisposeAsync().ConfigureAwait(false);
            }
            var deaths = Volatile.Read(ref _deathsInARow);
            if (deaths > 0)
            {
                var wait = Backoff.Step(deaths, _options.MinBackoff, _options.MaxBackoff) - _time.GetElapsedTime(Interlocked.Read(ref _lastExit));
                if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, ct).ConfigureAwait(false);
            }
            try
            {
                _child = ExecChild.Start(_options, this);
            }
            catch (ExecHandlerException e) when (Starts > 0)
            {
                // Mid-run (the program was there at start): loud, and tried again with backoff like a child that died.
                ExecLog.CannotStart(_logger, Name, e.Message);
                Interlocked.Exchange(ref _lastExit, _time.GetTimestamp());
                Interlocked.Increment(ref _deathsInARow);
                throw;
            }
            Starts++;
            if (Starts > 1) ExecLog.Restarted(_logger, Name, Starts - 1);
            return _child;
        }
        finally
        {
            _starting.Release();
        }
    }

    // The child's stdout ended: it exited (or closed stdout, which is the same to us). What it had not answered fails.
    internal void Exited(ExecChild child, string how, int unanswered)
    {
        Interlocked.Exchange(ref _lastExit, _time.GetTimestamp());
        var deaths = Interlocked.Increment(ref _deathsInARow);
        if (_disposed) return;
        ExecLog.Exited(_logger, Name, how, unanswered, global::Tgwatch.Duration.Format(Backoff.Step(deaths, _options.MinBackoff, _options.MaxBackoff)));
    }

    // A stdout line that is no answer: told once per kind of mistake.
    internal void Stray(string kind, string line)
    {
        if (_strayKinds.TryAdd(kind, 0)) ExecLog.StrayOutput(_logger, Name, kind, TextLines.FirstLine(line).Length > 200 ? TextLines.FirstLine(line)[..200] + "…" : TextLines.FirstLine(line));
    }

    internal ILogger Logger => _logger;

    internal NoiseGate Gate => _gate;

    internal NoiseRules Rules => _rules;

    internal NoiseOptions Noise => _noise;

    internal TimeProvider Time => _time;

    /// <summary>EOF on the child's stdin, <see cref="ExecHandlerOptions.DrainTime"/> to exit, then SIGTERM, then SIGKILL.</summary>
    public async ValueTask DisposeAsync()
    {
        await _starting.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            if (_child is { } child)
            {
                await child.StopAsync(_options.DrainTime).ConfigureAwait(false);
                await child.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _starting.Release();
        }
    }
}

/// <summary>What an <see cref="ExecHandler"/> runs and how.</summary>
internal sealed record ExecHandlerOptions
{
    /// <summary>The command as the user wrote it (<c>python3 handler.py</c>).</summary>
    public required string Command { get; init; }

    /// <summary>The program and its arguments, split as a shell would (quotes kept together).</summary>
    public required IReadOnlyList<string> Arguments { get; init; }

    /// <summary>The handler's name in the log and in dead letters: <c>exec:COMMAND</c>.</summary>
    public string Name => $"exec:{Command}";

    /// <summary>Messages the child is given before it answers any (1: one at a time).</summary>
    public int MaxInFlight { get; init; } = 1;

    /// <summary>How long the child may take to answer a message before it is taken for hung.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the child may take to exit after EOF on its stdin when the run stops.</summary>
    public TimeSpan DrainTime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest a stop of the child takes: <see cref="DrainTime"/>, then SIGTERM and its grace, then SIGKILL and its own.</summary>
    public TimeSpan StopTime => DrainTime + ExecChild.SignalGrace * 2;

    /// <summary>The first wait before a child that died is started again.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait before a child that keeps dying is started again.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>What a child handler did wrong, with the kind of fault it stands for (<see cref="ExecHandlerFaultRule"/>).</summary>
internal sealed class ExecHandlerException(FaultKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Network: retried (the child died, or asked for a retry); Bug: a dead letter at once (the child refused the message).</summary>
    public FaultKind Kind { get; } = kind;
}

/// <summary>Classifies <see cref="ExecHandlerException"/> by the kind it carries.</summary>
internal sealed class ExecHandlerFaultRule : IFaultRule
{
    public static readonly ExecHandlerFaultRule Instance = new();

    public Fault? TryClassify(Exception exception) => exception is ExecHandlerException e ? new Fault(e.Kind) : null;
}

internal static partial class ExecLog
{
    [LoggerMessage(8201, LogLevel.Warning, "{Handler}: exited ({How}) with {Unanswered} messages unanswered; they go to the next one, started in {Wait}")]
    public static partial void Exited(ILogger logger, string handler, string how, int unanswered, string wait);

    [LoggerMessage(8202, LogLevel.Information, "{Handler}: started again ({Restarts} restarts so far)")]
    public static partial void Restarted(ILogger logger, string handler, int restarts);

    [LoggerMessage(8203, LogLevel.Warning, "{Handler}: no answer to {Key} within {Timeout}: taken for hung, killed, and started again")]
    public static partial void Hung(ILogger logger, string handler, string key, string timeout);

    [LoggerMessage(8204, LogLevel.Warning, "{Handler}: a line on its stdout is no answer ({Kind}), and is not taken for one (said once for this kind): {Line}")]
    public static partial void StrayOutput(ILogger logger, string handler, string kind, string line);

    [LoggerMessage(8205, LogLevel.Warning, "{Handler}: {Line}")]
    public static partial void Stderr(ILogger logger, string handler, string line);

    [LoggerMessage(8206, LogLevel.Error, "{Handler}: cannot be started again ({Reason}); tried again with backoff")]
    public static partial void CannotStart(ILogger logger, string handler, string reason);

    [LoggerMessage(8207, LogLevel.Warning, "{Handler}: did not exit within {Drain} of EOF on its stdin; sent {Signal}")]
    public static partial void Signalled(ILogger logger, string handler, string drain, string signal);
}
