using System.Net.Http.Json;
using System.Text.Json;
using Tgwatch.Sandbox.Faults;

namespace Tgwatch.Sandbox.Admin;

/// <summary>A client of a sandbox's admin API (<c>/sandbox/…</c>), for tests and demos.</summary>
public sealed class SandboxAdmin : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _baseUrl;

    /// <summary>A client of the sandbox at <paramref name="baseUrl"/>; <paramref name="http"/> is used as given (not disposed), or one is made.</summary>
    public SandboxAdmin(Uri baseUrl, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        _baseUrl = baseUrl;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Injects a message (<c>POST /sandbox/messages</c>).</summary>
    public Task<InjectedUpdate> SendMessageAsync(InjectMessage message, CancellationToken ct = default) =>
        PostAsync<InjectMessage, InjectedUpdate>("sandbox/messages", message, ct);

    /// <summary>Injects a channel post (<c>POST /sandbox/channel-posts</c>).</summary>
    public Task<InjectedUpdate> SendChannelPostAsync(InjectMessage post, CancellationToken ct = default) =>
        PostAsync<InjectMessage, InjectedUpdate>("sandbox/channel-posts", post, ct);

    /// <summary>Injects an edit (<c>POST /sandbox/edits</c>).</summary>
    public Task<InjectedUpdate> EditAsync(InjectEdit edit, CancellationToken ct = default) =>
        PostAsync<InjectEdit, InjectedUpdate>("sandbox/edits", edit, ct);

    /// <summary>Injects many messages (<c>POST /sandbox/messages/bulk</c>).</summary>
    public Task<BulkResult> SendBulkAsync(InjectBulk bulk, CancellationToken ct = default) =>
        PostAsync<InjectBulk, BulkResult>("sandbox/messages/bulk", bulk, ct);

    /// <summary>Sets the id of the next update, as Telegram chooses it at random after a week without updates (<c>POST /sandbox/update-ids</c>).</summary>
    public Task RenumberUpdatesAsync(RenumberUpdates renumber, CancellationToken ct = default) =>
        PostAsync<RenumberUpdates, Dictionary<string, int>>("sandbox/update-ids", renumber, ct);

    /// <summary>Everything injected for a bot, in order (<c>GET /sandbox/injected</c>).</summary>
    public Task<IReadOnlyList<InjectedUpdate>> ListInjectedAsync(long? botId = null, CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<InjectedUpdate>>(WithBot("sandbox/injected", botId), ct);

    /// <summary>The messages a bot sent with sendMessage, as Bot API <c>Message</c> objects (<c>GET /sandbox/sent</c>).</summary>
    public Task<IReadOnlyList<JsonElement>> ListSentAsync(long? botId = null, CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<JsonElement>>(WithBot("sandbox/sent", botId), ct);

    /// <summary>Arms a fault (<c>POST /sandbox/faults</c>).</summary>
    public Task<ArmedFault> AddFaultAsync(FaultRequest fault, CancellationToken ct = default) =>
        PostAsync<FaultRequest, ArmedFault>("sandbox/faults", fault, ct);

    /// <summary>Disarms every request fault (<c>DELETE /sandbox/faults</c>); returns how many were armed.</summary>
    public async Task<int> ClearFaultsAsync(CancellationToken ct = default)
    {
        using var response = await _http.DeleteAsync(new Uri(_baseUrl, "sandbox/faults"), ct).ConfigureAwait(false);
        return (await ReadAsync<Dictionary<string, int>>(response, ct).ConfigureAwait(false))["cleared"];
    }

    /// <summary>The counters (<c>GET /sandbox/stats</c>).</summary>
    public Task<SandboxStats> GetStatsAsync(CancellationToken ct = default) => GetAsync<SandboxStats>("sandbox/stats", ct);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }

    private static string WithBot(string path, long? botId) =>
        botId is { } id ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{path}?bot_id={id}") : path;

    private async Task<TResult> PostAsync<TRequest, TResult>(string path, TRequest body, CancellationToken ct)
    {
        using var response = await _http.PostAsJsonAsync(new Uri(_baseUrl, path), body, AdminJson.Lenient, ct).ConfigureAwait(false);
        return await ReadAsync<TResult>(response, ct).ConfigureAwait(false);
    }

    private async Task<TResult> GetAsync<TResult>(string path, CancellationToken ct)
    {
        using var response = await _http.GetAsync(new Uri(_baseUrl, path), ct).ConfigureAwait(false);
        return await ReadAsync<TResult>(response, ct).ConfigureAwait(false);
    }

    private static async Task<TResult> ReadAsync<TResult>(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            var error = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>(AdminJson.Lenient, ct).ConfigureAwait(false);
            throw new SandboxAdminException((int)response.StatusCode, error?.GetValueOrDefault("error") ?? response.ReasonPhrase ?? "");
        }
        return await response.Content.ReadFromJsonAsync<TResult>(AdminJson.Lenient, ct).ConfigureAwait(false)
            ?? throw new SandboxAdminException((int)response.StatusCode, "empty answer");
    }
}

/// <summary>The admin API refused a request.</summary>
public sealed class SandboxAdminException : Exception
{
    /// <summary>An admin API error.</summary>
    public SandboxAdminException(int statusCode, string message) : base($"sandbox admin API: {statusCode}: {message}") => StatusCode = statusCode;

    /// <summary>The HTTP status.</summary>
    public int StatusCode { get; }
}
