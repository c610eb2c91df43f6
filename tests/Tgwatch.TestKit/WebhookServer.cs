using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Tgwatch.TestKit;

/// <summary>One request a <see cref="WebhookServer"/> received, and the status it answered.</summary>
public sealed record WebhookRequest(int Index, byte[] Body, string? ContentType, string? Signature, string? Authorization, string PathAndQuery, int Status, string? IdempotencyKey = null)
{
    public IReadOnlyList<string> Keys => Parse().Keys;

    public IReadOnlyList<string> Messages => Parse().Messages;

    public (IReadOnlyList<string> Messages, IReadOnlyList<string> Keys) Parse()
    {
        using var doc = JsonDocument.Parse(Body);
        var root = doc.RootElement;
        return ([.. root.GetProperty("messages").EnumerateArray().Select(e => e.GetRawText())],
                [.. root.GetProperty("keys").EnumerateArray().Select(e => e.GetString()!)]);
    }

    public bool SignedWith(string secret) =>
        Signature == "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Body));
}

/// <summary>An answer the test scripts: a status, a <c>Retry-After</c>, and how long to take before answering.</summary>
public sealed record WebhookAnswer(int Status, string? RetryAfter = null, TimeSpan Delay = default)
{
    public static WebhookAnswer Ok { get; } = new(200);
}

/// <summary>An HTTP endpoint on 127.0.0.1 (HttpListener) that records every request and answers as the test says.</summary>
public sealed class WebhookServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentQueue<WebhookRequest> _requests = new();
    private readonly Task _loop;
    private int _count;

    private WebhookServer(int port, Func<WebhookRequest, WebhookAnswer> answer)
    {
        Port = port;
        _listener = Listen(port);
        _loop = Task.Run(() => LoopAsync(answer));
    }

    // HttpListener's start can fail with an ArgumentNullException when a client connects at the very moment it begins to
    // listen (its first accept completes before the listener is set up): a sink retrying against a server that comes back
    // does exactly that. The half-made listener's socket is released by its finalizer, then the start is tried again.
    private static HttpListener Listen(int port)
    {
        for (var attempt = 1; ; attempt++)
        {
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return listener;
            }
            catch (ArgumentNullException) when (attempt < 3)
            {
                listener.Abort();
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/hook");

    public IReadOnlyList<WebhookRequest> Requests => [.. _requests];

    /// <summary>Requests answered 2xx.</summary>
    public IReadOnlyList<WebhookRequest> Delivered => [.. _requests.Where(r => r.Status is >= 200 and < 300)];

    public IReadOnlyList<string> DeliveredKeys => [.. Delivered.SelectMany(r => r.Keys)];

    public static WebhookServer Start(Func<WebhookRequest, WebhookAnswer>? answer = null, int port = 0)
    {
        if (port != 0) return new(port, answer ?? (_ => WebhookAnswer.Ok));
        // A port found free can be taken by another test before this one listens on it: another port then.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new(FreePort(), answer ?? (_ => WebhookAnswer.Ok));
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>
    /// A loopback port nobody listens on (bound, then released), for a server started later on it. Taken below
    /// Linux's ephemeral range (32768-60999), so the connections other tests make meanwhile are not given it.
    /// </summary>
    public static int FreePort()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
                return port;
            }
            catch (SocketException) when (attempt < 100)
            {
            }
            finally
            {
                listener.Stop();
            }
        }
    }

    private async Task LoopAsync(Func<WebhookRequest, WebhookAnswer> answer)
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            try
            {
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                var request = new WebhookRequest(Interlocked.Increment(ref _count) - 1, body.ToArray(), context.Request.ContentType,
                    context.Request.Headers["X-Tgwatch-Signature"], context.Request.Headers["Authorization"], context.Request.Url!.PathAndQuery, 0,
                    context.Request.Headers["Idempotency-Key"]);
                var reply = answer(request);
                _requests.Enqueue(request with { Status = reply.Status });
                if (reply.Delay > TimeSpan.Zero) _ = AnswerLaterAsync(context, reply); // the next request is taken meanwhile
                else Answer(context, reply);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>A slow endpoint, as the test scripts it: the answer really takes this long.</summary>
    private static async Task AnswerLaterAsync(HttpListenerContext context, WebhookAnswer reply)
    {
        await Task.Delay(reply.Delay);
        try
        {
            Answer(context, reply);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private static void Answer(HttpListenerContext context, WebhookAnswer reply)
    {
        context.Response.StatusCode = reply.Status;
        if (reply.RetryAfter is not null) context.Response.Headers["Retry-After"] = reply.RetryAfter;
        context.Response.ContentLength64 = 0;
        context.Response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        // Close alone: after Stop, Close takes the listener off its port a second time, and the managed HttpListener
        // binds the port again to do it, failing with "Address already in use" when another test has taken it since.
        _listener.Close();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
