using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// Debian's chromium, headless, as a test's browser: a tab kept open and read through the DevTools protocol while the page
/// lives (its DOM as its scripts leave it, or with JavaScript off as the server sent it; a desktop's viewport or a phone's).
/// </summary>
internal static class Chromium
{
    public const string Program = "/usr/bin/chromium";

    /// <summary>
    /// Headless in a throw-away profile. <c>--no-sandbox</c>: the tests run as root, or as root of a user namespace
    /// (test.sh), where chromium refuses to start with its sandbox; the pages are the tests' own. <c>--disable-dev-shm-usage</c>:
    /// a namespace's /dev/shm may be small.
    /// </summary>
    private static string[] Flags(string profile) =>
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
         "--disable-background-networking", "--disable-component-update", "--disable-crash-reporter", "--hide-scrollbars", $"--user-data-dir={profile}"];

    /// <summary>The DOM of <paramref name="url"/> once loaded, serialized; with <paramref name="javaScript"/> off, as the server sent it.</summary>
    /// <remarks>
    /// Not <c>--dump-dom</c>: with <c>--blink-settings=scriptEnabled=false</c> it writes nothing (it reads the DOM with a script).
    /// </remarks>
    public static async Task<string> DomAsync(string url, bool javaScript)
    {
        await using var tab = await OpenAsync(url, javaScript: javaScript);
        return await tab.HtmlAsync();
    }

    /// <summary>A tab of <paramref name="width"/> × <paramref name="height"/> CSS pixels (a phone's, touch and all, when <paramref name="mobile"/>) showing <paramref name="url"/>.</summary>
    public static async Task<ChromiumTab> OpenAsync(string url, int width = 1280, int height = 900, bool mobile = false, bool javaScript = true)
    {
        var profile = Profile();
        var process = ProcessRun.Start(Program, [.. Flags(profile), "--remote-debugging-port=0", "about:blank"], environment: Environment(profile));
        var tab = new ChromiumTab(process, profile);
        try
        {
            await tab.ConnectAsync();
            await tab.SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = mobile });
            if (!javaScript) await tab.SendAsync("Emulation.setScriptExecutionDisabled", new JsonObject { ["value"] = true });
            await tab.NavigateAsync(url);
            return tab;
        }
        catch
        {
            await tab.DisposeAsync();
            throw;
        }
    }

    private static string Profile()
    {
        Assert.True(File.Exists(Program), $"{Program} is missing: install Debian's chromium package (./test.sh does as root)");
        return Some.TempDirectory("tgwatch-chromium");
    }

    /// <summary>HOME in the profile too: chromium writes there whatever its profile does not hold.</summary>
    private static Dictionary<string, string> Environment(string profile) => new() { ["HOME"] = profile };
}

/// <summary>An open tab of a headless chromium, driven through the DevTools protocol on a loopback port.</summary>
internal sealed class ChromiumTab : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _waiting = new();
    private readonly StringBuilder _log = new();
    private readonly Task _draining;
    private Task _reading = Task.CompletedTask;
    private int _lastId;

    internal ChromiumTab(Process process, string profile)
    {
        _process = process;
        _profile = profile;
        // Its output is read to the end (a full pipe would stop it), and kept to tell why it failed.
        _draining = Task.WhenAll(Drain(process.StandardOutput), Drain(process.StandardError));
    }

    private async Task Drain(StreamReader output)
    {
        while (await output.ReadLineAsync() is { } line)
            lock (_log) _log.AppendLine(line);
    }

    internal async Task ConnectAsync()
    {
        var portFile = Path.Combine(_profile, "DevToolsActivePort");
        var lines = await Eventually.ValueAsync(() => File.ReadAllLines(portFile), l => l.Length >= 2, "chromium's DevToolsActivePort", Tgwatch.Patience, _process.WaitForExitAsync());
        using var http = new HttpClient();
        var targets = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{lines[0]}/json/list"));
        var page = targets.RootElement.EnumerateArray().First(t => t.GetProperty("type").GetString() == "page");
        await _socket.ConnectAsync(new Uri(page.GetProperty("webSocketDebuggerUrl").GetString()!), CancellationToken.None);
        _reading = Task.Run(ReadAsync);
    }

    /// <summary>Sends a DevTools command; its result.</summary>
    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters = null)
    {
        var id = Interlocked.Increment(ref _lastId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = answer;
        var command = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(command.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        try
        {
            return await answer.Task.WaitAsync(Tgwatch.Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"chromium did not answer {method}\n{Log}");
        }
    }

    /// <summary>Goes to <paramref name="url"/> and waits until the document has loaded.</summary>
    public async Task NavigateAsync(string url)
    {
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        await Eventually.TrueAsync(async () => await EvaluateAsync("document.readyState === 'complete' && location.href !== 'about:blank'") is { ValueKind: JsonValueKind.True },
            $"{url} loaded", Tgwatch.Patience);
    }

    /// <summary>The value of a JavaScript expression in the page (awaited when it is a promise).</summary>
    public async Task<JsonElement> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true });
        if (result.TryGetProperty("exceptionDetails", out var thrown)) throw new InvalidOperationException($"{expression}: {thrown}");
        return result.GetProperty("result").TryGetProperty("value", out var value) ? value.Clone() : default;
    }

    /// <summary>The document as HTML (read by DevTools, not by a script in the page: it holds without JavaScript too).</summary>
    public async Task<string> HtmlAsync()
    {
        var document = await SendAsync("DOM.getDocument", new JsonObject { ["depth"] = 0 });
        var html = await SendAsync("DOM.getOuterHTML", new JsonObject { ["nodeId"] = document.GetProperty("root").GetProperty("nodeId").GetInt32() });
        return html.GetProperty("outerHTML").GetString()!;
    }

    /// <summary>The text of the first element <paramref name="selector"/> finds; null when there is none.</summary>
    public async Task<string?> TextAsync(string selector) =>
        await EvaluateAsync($"document.querySelector({JsonSerializer.Serialize(selector)})?.textContent ?? null") is { ValueKind: JsonValueKind.String } text ? text.GetString() : null;

    private string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        while (_socket.State == WebSocketState.Open)
        {
            WebSocketReceiveResult received;
            try
            {
                received = await _socket.ReceiveAsync(buffer, CancellationToken.None);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Chromium went away, or the tab is being disposed.
                break;
            }
            if (received.MessageType == WebSocketMessageType.Close) break;
            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage) continue;
            using var json = JsonDocument.Parse(message.ToArray());
            message.SetLength(0);
            // Events (no id) are not needed: the tests look at the page itself.
            if (!json.RootElement.TryGetProperty("id", out var id) || !_waiting.TryRemove(id.GetInt32(), out var answer)) continue;
            if (json.RootElement.TryGetProperty("error", out var error)) answer.SetException(new InvalidOperationException($"chromium: {error}"));
            else answer.SetResult(json.RootElement.GetProperty("result").Clone());
        }
        foreach (var answer in _waiting.Values) answer.TrySetException(new InvalidOperationException($"chromium closed its DevTools connection\n{Log}"));
    }

    public async ValueTask DisposeAsync()
    {
        _socket.Abort();
        _socket.Dispose();
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        await Task.WhenAll(_reading, _draining);
        _process.Dispose();
        Directory.Delete(_profile, recursive: true);
    }
}
