using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tgwatch.TestKit;

namespace Tgwatch.BotApi.Tests;

/// <summary>
/// npm <c>telegram-test-api@4.2.1</c> (a Bot API emulator we did not write) as a child process:
/// <c>node tools/telegram-test-api/server.js PORT</c> on 127.0.0.1. Its bot side is served at
/// <c>{ApiUrl}/bot&lt;token&gt;/&lt;method&gt;</c>; its client side (a user talking to a bot) is plain JSON POSTs to
/// <c>{ApiUrl}/sendMessage</c>, <c>/sendCommand</c>, <c>/sendCallback</c> and <c>/getUpdatesHistory</c>, which
/// <see cref="EmulatedUser"/> speaks. Every request the emulator sees is logged by its own request logger
/// (DEBUG=TelegramServer:request on stderr) and kept in <see cref="Requests"/>.
/// </summary>
internal sealed class TelegramTestApi : IAsyncDisposable
{
    private const string RequestMark = "Request: ";
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly ConcurrentQueue<JsonElement> _requests = new();

    private TelegramTestApi(Process process) => _process = process;

    /// <summary>The folder holding package.json, package-lock.json and server.js.</summary>
    public static string Folder => Repo.Path("tools", "telegram-test-api");

    /// <summary>Where it listens, e.g. http://127.0.0.1:40123 (its own "ready" line says so).</summary>
    public Uri ApiUrl { get; private set; } = null!;

    /// <summary>For the client side.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>What it wrote on stderr so far (its request log included).</summary>
    public string Stderr => string.Join('\n', _stderr);

    /// <summary>Every request it logged, in order: <c>{"method", "url", "body", …}</c>.</summary>
    public IReadOnlyList<JsonElement> Requests => [.. _requests];

    /// <summary>The <c>getUpdates</c> calls it saw for a bot, with their bodies.</summary>
    public IReadOnlyList<JsonElement> GetUpdatesCalls(string token) =>
        [.. Requests.Where(r => r.GetProperty("url").GetString() is { } url && url.StartsWith($"/bot{token}/getUpdates", StringComparison.Ordinal))];

    /// <summary>Starts it on a free loopback port, waiting for its "ready" line.</summary>
    /// <exception cref="InvalidOperationException">node or the npm package is missing, or it would not start.</exception>
    public static async Task<TelegramTestApi> StartAsync()
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "telegram-test-api")))
            throw new InvalidOperationException(
                $"{Path.Combine(Folder, "node_modules", "telegram-test-api")} is missing: run `npm ci --prefix tools/telegram-test-api` (.ci/run does it)");
        string last = "";
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            // The emulator cannot listen on port 0 (it reads 0 as unset and takes 9000), so we pick a port, let
            // it go and hope nobody takes it first; a port taken meanwhile is tried again with another.
            var port = FreePort();
            var (started, error) = await TryStartAsync(port);
            if (started is not null) return started;
            last = error;
            if (!error.Contains("cannot listen", StringComparison.Ordinal)) break;
        }
        throw new InvalidOperationException($"telegram-test-api did not start: {last}");
    }

    private static async Task<(TelegramTestApi? Api, string Error)> TryStartAsync(int port)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = Folder,
            RedirectStandardInput = true, // server.js stops when this pipe closes, so a test run that dies takes it along
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(Folder, "server.js"));
        info.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.Environment["DEBUG"] = "TelegramServer:request";
        info.Environment["DEBUG_COLORS"] = "no";
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run node ({e.Message}); install Debian's nodejs and npm, then `npm ci --prefix tools/telegram-test-api` (.ci/run does both)", e);
        }
        var api = new TelegramTestApi(process);
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) ready.TrySetException(new InvalidOperationException("it closed stdout before it was ready"));
            else if (e.Data.StartsWith("ready ", StringComparison.Ordinal)) ready.TrySetResult(new Uri(e.Data["ready ".Length..].Trim()));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            api._stderr.Enqueue(e.Data);
            var at = e.Data.IndexOf(RequestMark, StringComparison.Ordinal);
            if (at < 0) return;
            try
            {
                api._requests.Enqueue(JsonDocument.Parse(e.Data[(at + RequestMark.Length)..]).RootElement.Clone());
            }
            catch (JsonException)
            {
                // a line of something else that happens to hold the mark
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var waited = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(30)));
        if (waited == ready.Task && ready.Task.IsCompletedSuccessfully)
        {
            api.ApiUrl = ready.Task.Result;
            api.Http = new HttpClient { BaseAddress = api.ApiUrl, Timeout = TimeSpan.FromSeconds(10) };
            return (api, "");
        }
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        var error = $"exit {process.ExitCode}: {string.Join(" | ", api._stderr)}";
        process.Dispose();
        return (null, error);
    }

    /// <summary>A user of the emulator talking to <paramref name="token"/>'s bot.</summary>
    public EmulatedUser User(string token, long userId, string firstName, string userName, long chatId, string chatType = "private", string? chatTitle = null) =>
        new(this, token, userId, firstName, userName, chatId, chatType, chatTitle ?? firstName);

    /// <summary>Everything stored for a bot (<c>POST /getUpdatesHistory</c>): user updates and bot messages, oldest first.</summary>
    public async Task<IReadOnlyList<JsonElement>> HistoryAsync(string token)
    {
        var answer = await PostAsync("getUpdatesHistory", new JsonObject { ["token"] = token });
        return [.. answer.GetProperty("result").EnumerateArray()];
    }

    /// <summary>Posts to the client side and checks its <c>{"ok": true}</c>.</summary>
    public async Task<JsonElement> PostAsync(string path, JsonObject body)
    {
        using var response = await Http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /{path}: HTTP {(int)response.StatusCode} {text}\n{Stderr}");
        var answer = JsonDocument.Parse(text).RootElement.Clone();
        if (!answer.TryGetProperty("ok", out var ok) || !ok.GetBoolean()) throw new InvalidOperationException($"POST /{path}: {text}");
        return answer;
    }

    /// <summary>Closes its stdin (server.js then stops the server and exits 0); kills it if it has not gone within 5 seconds.</summary>
    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        try
        {
            _process.StandardInput.Close();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
        {
            // it did not stop: kill it below
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    /// <summary>True once the child has exited (after <see cref="DisposeAsync"/>: always).</summary>
    public bool HasExited
    {
        get
        {
            try { return _process.HasExited; }
            catch (InvalidOperationException) { return true; } // disposed
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// A user as the package's own JS <c>TelegramClient</c> makes one: every message it posts is
/// <c>{from, chat, botToken, date, text}</c>, deep-merged with the caller's extra fields (the emulator stores the
/// body as the update's <c>message</c> and adds <c>message_id</c>).
/// </summary>
internal sealed class EmulatedUser(TelegramTestApi api, string token, long userId, string firstName, string userName, long chatId, string chatType, string chatTitle)
{
    /// <summary>The JS client's makeCommonMessage: the sender and the chat (with title and the user's names, whatever the type).</summary>
    private JsonObject Common() => new()
    {
        ["from"] = new JsonObject { ["id"] = userId, ["first_name"] = firstName, ["username"] = userName, ["is_bot"] = false },
        ["chat"] = new JsonObject { ["id"] = chatId, ["title"] = chatTitle, ["first_name"] = firstName, ["username"] = userName, ["type"] = chatType },
    };

    /// <summary>The JS client's getMessageMeta. Without botToken the emulator fails an assertion outside its request handler and the node process dies.</summary>
    private JsonObject Meta(JsonObject into)
    {
        into["botToken"] = token;
        into["date"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return into;
    }

    /// <summary>makeMessage + sendMessage: <c>POST /sendMessage</c>.</summary>
    public Task SendMessageAsync(string text, JsonObject? extra = null)
    {
        var message = Meta(Common());
        message["text"] = text;
        return api.PostAsync("sendMessage", Merge(message, extra));
    }

    /// <summary>
    /// A reply. The emulator has no notion of replies: the JS client passes <c>reply_to_message</c> as an extra field,
    /// and the emulator hands it to the bot as given; here it is the stored replied-to message with its message_id.
    /// </summary>
    public Task ReplyAsync(string text, JsonElement repliedTo)
    {
        var replied = JsonNode.Parse(repliedTo.GetProperty("message").GetRawText())!.AsObject();
        replied.Remove("botToken");
        replied["message_id"] = repliedTo.GetProperty("messageId").GetInt64();
        return SendMessageAsync(text, new JsonObject { ["reply_to_message"] = replied });
    }

    /// <summary>makeCommand + sendCommand: the text with one bot_command entity, as the JS client computes it.</summary>
    public Task SendCommandAsync(string text)
    {
        var offset = Math.Max(text.IndexOf('/', StringComparison.Ordinal), 0);
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var length = space >= 0 && space != offset ? space - offset : text.Length;
        var message = Meta(Common());
        message["text"] = text;
        message["entities"] = new JsonArray(new JsonObject { ["offset"] = offset, ["length"] = length, ["type"] = "bot_command" });
        return api.PostAsync("sendCommand", message);
    }

    /// <summary>makeCallbackQuery + sendCallback: a button press (a <c>callback_query</c> update).</summary>
    public Task SendCallbackAsync(string data)
    {
        var common = Common();
        var query = Meta(new JsonObject { ["from"] = common["from"]!.DeepClone(), ["message"] = common, ["data"] = data });
        return api.PostAsync("sendCallback", query);
    }

    /// <summary>deep-extend: objects merged key by key, anything else replaced.</summary>
    private static JsonObject Merge(JsonObject target, JsonObject? extra)
    {
        if (extra is null) return target;
        foreach (var (key, value) in extra)
        {
            if (value is JsonObject add && target[key] is JsonObject existing) Merge(existing, add);
            else target[key] = value?.DeepClone();
        }
        return target;
    }
}
