using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Tgwatch.Sinks.Tests.Webhook;

/// <summary>One request the server received.</summary>
internal sealed record Received(int Index, byte[] Body, string? ContentType, string? Signature, string? Authorization, string PathAndQuery, int Status)
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

/// <summary>An answer the test scripts.</summary>
internal sealed record Answer(int Status, string? RetryAfter = null)
{
    public static Answer Ok { get; } = new(200);
}

/// <summary>An HTTP endpoint on 127.0.0.1 (HttpListener) that records every request and answers as the test says.</summary>
internal sealed class WebhookServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Received> _requests = new();
    private readonly Task _loop;
    private int _count;

    private WebhookServer(int port, Func<Received, Answer> answer)
    {
        Port = port;
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(() => LoopAsync(answer));
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}/hook");

    public IReadOnlyList<Received> Requests => [.. _requests];

    /// <summary>Requests answered 2xx.</summary>
    public IReadOnlyList<Received> Delivered => [.. _requests.Where(r => r.Status is >= 200 and < 300)];

    public IReadOnlyList<string> DeliveredKeys => [.. Delivered.SelectMany(r => r.Keys)];

    public static WebhookServer Start(Func<Received, Answer>? answer = null, int port = 0) =>
        new(port == 0 ? FreePort() : port, answer ?? (_ => Answer.Ok));

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

    private async Task LoopAsync(Func<Received, Answer> answer)
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
                var request = new Received(Interlocked.Increment(ref _count) - 1, body.ToArray(), context.Request.ContentType,
                    context.Request.Headers["X-Tgwatch-Signature"], context.Request.Headers["Authorization"], context.Request.Url!.PathAndQuery, 0);
                var reply = answer(request);
                _requests.Enqueue(request with { Status = reply.Status });
                context.Response.StatusCode = reply.Status;
                if (reply.RetryAfter is not null) context.Response.Headers["Retry-After"] = reply.RetryAfter;
                context.Response.ContentLength64 = 0;
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
