using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Tgwatch.BotApi.Tests;

/// <summary>
/// A Bot API in a message handler, for answers a real server may give but the sandbox does not make: getMe answers
/// a bot (after the failures scripted for it); getUpdates first gives the scripted answers, one per call, then the
/// queued updates from the offset on (an empty batch after a short wait when none is left).
/// </summary>
internal sealed class ScriptedBotApi : HttpMessageHandler
{
    private readonly ConcurrentQueue<(HttpStatusCode Status, string Body, string ContentType, Exception? Failure)> _script = new();
    private readonly List<(long Id, string Json)> _updates = [];
    private readonly ConcurrentQueue<long?> _offsets = new();
    private readonly ConcurrentQueue<Exception> _getMeFailures = new();
    private int _getUpdates;

    public const string Token = "424242:AAScriptedScriptedScriptedScriptedSc1";

    /// <summary>getUpdates calls answered so far.</summary>
    public int GetUpdatesCalls => Volatile.Read(ref _getUpdates);

    /// <summary>The offsets getUpdates was called with.</summary>
    public IReadOnlyList<long?> Offsets => [.. _offsets];

    public ScriptedBotApi Then(HttpStatusCode status, string body, string contentType = "application/json")
    {
        _script.Enqueue((status, body, contentType, null));
        return this;
    }

    /// <summary>A getUpdates call that fails below HTTP, as the handler of a real connection would (an answer that is not HTTP, say).</summary>
    public ScriptedBotApi ThenFail(Exception failure)
    {
        _script.Enqueue((HttpStatusCode.OK, "", "", failure));
        return this;
    }

    /// <summary>A getMe call that fails below HTTP (the network), before the one that answers.</summary>
    public ScriptedBotApi GetMeFails(Exception failure)
    {
        _getMeFailures.Enqueue(failure);
        return this;
    }

    public ScriptedBotApi Update(long id, string json)
    {
        lock (_updates) _updates.Add((id, json));
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (path.EndsWith("/getMe", StringComparison.Ordinal))
            return _getMeFailures.TryDequeue(out var failed) ? throw failed : Answer(HttpStatusCode.OK, """{"ok":true,"result":{"id":424242,"is_bot":true,"first_name":"S","username":"scripted_bot"}}""");
        Interlocked.Increment(ref _getUpdates);
        long? offset = null;
        if (request.Content is not null)
        {
            using var body = JsonDocument.Parse(await request.Content.ReadAsStringAsync(cancellationToken));
            if (body.RootElement.TryGetProperty("offset", out var o)) offset = o.GetInt64();
        }
        _offsets.Enqueue(offset);
        if (_script.TryDequeue(out var scripted))
            return scripted.Failure is { } failure ? throw failure : Answer(scripted.Status, scripted.Body, scripted.ContentType);
        string[] batch;
        lock (_updates) batch = [.. _updates.Where(u => u.Id >= (offset ?? 0)).Select(u => u.Json)];
        // A long poll, short: an empty answer after a moment, as a server holds one (the connector's pacing is its own).
        if (batch.Length == 0) await Task.Delay(50, cancellationToken);
        return Answer(HttpStatusCode.OK, $$"""{"ok":true,"result":[{{string.Join(",", batch)}}]}""");
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, string body, string contentType = "application/json") =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, contentType) };
}
