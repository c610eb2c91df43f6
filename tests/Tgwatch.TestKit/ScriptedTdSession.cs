using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Tgwatch.Tdlib;
using Tgwatch.Tdlib.Functions;

namespace Tgwatch.TestKit;

/// <summary>
/// A TDLib session scripted by a test: answers by request <c>@type</c>, updates pushed by the test, every request
/// recorded as the JSON TDLib would receive. A request with no script is answered with TDLib's <c>error</c> 400 "unscripted". Honours the caller's
/// timeout and cancellation like <see cref="TdClient"/>, and once closed (<see cref="Complete"/>) refuses requests as it does.
/// </summary>
public sealed class ScriptedTdSession : ITdSession
{
    private readonly Channel<JsonElement> _updates = Channel.CreateUnbounded<JsonElement>();
    private readonly ConcurrentDictionary<string, Func<JsonObject, CancellationToken, Task<JsonElement>>> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<JsonObject> _sent = new();
    private bool _closed;

    /// <summary>The timeout used when the caller gives none.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <inheritdoc />
    public ChannelReader<JsonElement> Updates => _updates.Reader;

    /// <summary>Every request sent so far, in order, as TDLib would receive it.</summary>
    public IReadOnlyList<JsonObject> Sent => [.. _sent];

    /// <summary>The requests of one <c>@type</c> sent so far.</summary>
    public IReadOnlyList<JsonObject> SentOf(string type) => [.. _sent.Where(r => (string?)r["@type"] == type)];

    /// <summary>Answers requests of <paramref name="type"/> with the object <paramref name="answer"/> returns (JSON text); it may throw, e.g. <see cref="TdlibErrorException"/>.</summary>
    public ScriptedTdSession On(string type, Func<JsonObject, string> answer) =>
        OnAsync(type, (request, _) => Task.FromResult(Parse(answer(request))));

    /// <summary>Answers requests of <paramref name="type"/> asynchronously (a task that never completes is a request TDLib never answers).</summary>
    public ScriptedTdSession OnAsync(string type, Func<JsonObject, CancellationToken, Task<JsonElement>> answer)
    {
        _answers[type] = answer;
        return this;
    }

    /// <summary>Answers requests of <paramref name="type"/> with TDLib's <c>error</c>.</summary>
    public ScriptedTdSession Fail(string type, int code, string message) =>
        OnAsync(type, (_, _) => Task.FromException<JsonElement>(new TdlibErrorException(code, message, type)));

    /// <summary>Queues an update (JSON text).</summary>
    public void Push(string update) => Push(Parse(update));

    /// <summary>Queues an update.</summary>
    public void Push(JsonElement update)
    {
        if (!_updates.Writer.TryWrite(update)) throw new InvalidOperationException("the session's updates are completed");
    }

    /// <summary>TDLib closed the client: the updates end, and every request from now on throws <see cref="TdlibClientClosedException"/>.</summary>
    public void Complete()
    {
        Volatile.Write(ref _closed, true);
        _updates.Writer.TryComplete();
    }

    /// <inheritdoc />
    public async Task<JsonElement> SendAsync(TdFunction request, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var type = request.TypeName;
        var json = (JsonObject)JsonNode.Parse(request.ToJson())!;
        _sent.Enqueue((JsonObject)json.DeepClone());
        ct.ThrowIfCancellationRequested();
        if (Volatile.Read(ref _closed)) throw new TdlibClientClosedException(1, type);
        if (!_answers.TryGetValue(type, out var answer)) throw new TdlibErrorException(400, $"unscripted request {type}", type);
        var limit = timeout ?? DefaultTimeout;
        try
        {
            return await answer(json, ct).WaitAsync(limit, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"TDLib did not answer {type} within {limit.TotalSeconds:0.###} s");
        }
    }

    /// <summary>Parses JSON text into an element that outlives its document.</summary>
    public static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }
}
