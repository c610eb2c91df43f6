using System.Text;
using System.Text.Json;
using Telegram.Bot;
using Telegram.Bot.Types;

namespace Tgwatch.Sandbox.Tests;

/// <summary>An HTTP answer as a raw client sees it.</summary>
internal sealed record Answer(int Status, string Body, string? ContentType)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public JsonElement Result => Json.GetProperty("result");

    /// <summary>The result as Telegram.Bot's types, read with Telegram.Bot's own JSON options.</summary>
    public T As<T>() => Result.Deserialize<T>(JsonBotAPI.Options)!;

    public Update[] Updates => As<Update[]>();
}

/// <summary>Bot API requests made with a bare HttpClient: every parameter style, no library in between.</summary>
internal sealed class RawBot(BotApiSandbox sandbox) : IDisposable
{
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(90) };

    public Task<Answer> GetAsync(string method, string query = "", string? token = null, CancellationToken ct = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, Url(method, token) + (query.Length > 0 ? "?" + query : "")), ct);

    public Task<Answer> PostJsonAsync(string method, string json, string? token = null, CancellationToken ct = default) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(method, token)) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, ct);

    public Task<Answer> PostFormAsync(string method, params (string Name, string Value)[] fields) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(method, null))
        {
            Content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))),
        }, default);

    public Task<Answer> PostMultipartAsync(string method, params (string Name, string Value)[] fields)
    {
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields) content.Add(new StringContent(value), name);
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(method, null)) { Content = content }, default);
    }

    /// <summary>getUpdates with a query string; asserts success and returns the updates as Telegram.Bot reads them.</summary>
    public async Task<Update[]> UpdatesAsync(string query = "")
    {
        var answer = await GetAsync("getUpdates", query);
        Assert.True(answer.Status == 200, answer.Body);
        return answer.Updates;
    }

    public string Url(string method, string? token) => sandbox.MethodUrl(method, token).ToString();

    public async Task<Answer> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            using var response = await Http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            return new Answer((int)response.StatusCode, body, response.Content.Headers.ContentType?.MediaType);
        }
    }

    public void Dispose() => Http.Dispose();
}

/// <summary>A started sandbox with a raw client and the admin client, disposed together.</summary>
internal sealed class Running : IAsyncDisposable
{
    private Running(BotApiSandbox sandbox)
    {
        Sandbox = sandbox;
        Bot = new RawBot(sandbox);
    }

    public BotApiSandbox Sandbox { get; }

    public RawBot Bot { get; }

    public Admin.SandboxAdmin Admin => Sandbox.Admin;

    public static async Task<Running> StartAsync(SandboxOptions? options = null) =>
        new(await BotApiSandbox.StartAsync(options ?? new SandboxOptions(), CancellationToken.None));

    public async ValueTask DisposeAsync()
    {
        Bot.Dispose();
        await Sandbox.DisposeAsync();
    }
}
