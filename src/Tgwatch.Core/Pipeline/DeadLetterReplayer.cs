using Tgwatch.Faults;
using Tgwatch.Formatting;
using Tgwatch.Messages;
using Tgwatch.Storage;

namespace Tgwatch.Pipeline;

/// <summary>
/// Runs dead letters again: a handler's letter through the handler of that name, a sink's letter
/// through the sink of that name. A letter that goes through is removed; one that fails again stays,
/// with the new error; one whose handler or sink is not configured now is left as it is.
/// </summary>
public sealed class DeadLetterReplayer
{
    private readonly IStateStore _store;
    private readonly Dictionary<string, IMessageSink> _sinks;
    private readonly Dictionary<string, IMessageHandler> _handlers;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    /// <summary>A replayer over the given (started) sinks and handlers.</summary>
    public DeadLetterReplayer(IStateStore store, IEnumerable<IMessageSink> sinks, IEnumerable<IMessageHandler> handlers, TimeSpan? handlerTimeout = null, TimeProvider? time = null)
    {
        _store = store;
        _sinks = sinks.ToDictionary(s => $"sink:{s.Name}", StringComparer.Ordinal);
        _handlers = handlers.ToDictionary(h => $"handler:{h.Name}", StringComparer.Ordinal);
        _time = time ?? TimeProvider.System;
        _timeout = handlerTimeout ?? new PipelineOptions().HandlerTimeout;
    }

    /// <summary>Replays every letter, or only the one with <paramref name="id"/>.</summary>
    public async Task<ReplayReport> ReplayAsync(long? id, CancellationToken ct)
    {
        // The letters are listed first: one that fails again is stored anew and must not come round twice.
        var letters = new List<DeadLetter>();
        long after = 0;
        while (true)
        {
            var page = await _store.DeadLetters.ListAsync(500, after, ct).ConfigureAwait(false);
            if (page.Count == 0) break;
            after = page[^1].Id;
            letters.AddRange(id is null ? page : page.Where(l => l.Id == id));
        }
        var outcomes = new List<ReplayOutcome>(letters.Count);
        foreach (var letter in letters) outcomes.Add(await ReplayOneAsync(letter, ct).ConfigureAwait(false));
        return new ReplayReport(outcomes);
    }

    private async Task<ReplayOutcome> ReplayOneAsync(DeadLetter letter, CancellationToken ct)
    {
        var stage = letter.Letter.Stage;
        TgMessage message;
        try { message = TgMessageJson.Parse(letter.Letter.MessageJson); }
        catch (FormatException e) { return new(letter.Id, stage, ReplayResultKind.Skipped, $"stored record unreadable: {e.Message}"); }
        try
        {
            if (_sinks.TryGetValue(stage, out var sink))
            {
                await sink.ReplayAsync([message], ct).ConfigureAwait(false);
            }
            else if (_handlers.TryGetValue(stage, out var handler))
            {
                await Deadline.RunAsync(token => handler.HandleAsync(message, token), handler.Timeout ?? _timeout, _time, $"handler {handler.Name}", ct).ConfigureAwait(false);
            }
            else
            {
                return new(letter.Id, stage, ReplayResultKind.Skipped, $"{stage} is not configured in this run");
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var fault = FaultClassifier.Default.Classify(e, ct).Kind;
            await _store.DeadLetters.AddAsync(letter.Letter with
            {
                Fault = fault,
                ErrorType = e.GetType().FullName ?? e.GetType().Name,
                Error = Secrets.SecretRedactor.Default.Redact(e.ToString()),
                Attempts = letter.Letter.Attempts + 1,
                FailedAt = _time.GetUtcNow(),
            }, ct).ConfigureAwait(false);
            return new(letter.Id, stage, ReplayResultKind.Failed, $"{e.GetType().Name}: {TextLines.FirstLine(e.Message)}");
        }
        await _store.DeadLetters.RemoveAsync(letter.Id, ct).ConfigureAwait(false);
        return new(letter.Id, stage, ReplayResultKind.Replayed, null);
    }
}

/// <summary>What became of one letter.</summary>
public enum ReplayResultKind
{
    /// <summary>Went through and was removed.</summary>
    Replayed,

    /// <summary>Failed again; kept with the new error.</summary>
    Failed,

    /// <summary>Its handler or sink is not configured; left alone.</summary>
    Skipped,
}

/// <summary>One letter's replay.</summary>
/// <param name="Id">Letter id.</param>
/// <param name="Stage">Its stage.</param>
/// <param name="Result">What became of it.</param>
/// <param name="Reason">Why it failed or was skipped.</param>
public sealed record ReplayOutcome(long Id, string Stage, ReplayResultKind Result, string? Reason);

/// <summary>A replay's outcomes.</summary>
/// <param name="Outcomes">One per letter tried.</param>
public sealed record ReplayReport(IReadOnlyList<ReplayOutcome> Outcomes)
{
    /// <summary>Letters that went through.</summary>
    public int Replayed => Outcomes.Count(o => o.Result == ReplayResultKind.Replayed);

    /// <summary>Letters that failed again.</summary>
    public int Failed => Outcomes.Count(o => o.Result == ReplayResultKind.Failed);

    /// <summary>Letters left alone.</summary>
    public int Skipped => Outcomes.Count(o => o.Result == ReplayResultKind.Skipped);
}
