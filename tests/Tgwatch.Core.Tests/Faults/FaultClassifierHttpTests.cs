using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Tgwatch.Faults;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Faults;

public sealed class FaultClassifierHttpTests
{
    // A bound against a hang only (no test measures it): a loaded 2-core machine once took over 2 s to answer on loopback.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Classify_HttpClientTimeoutAgainstSilentServer_IsTimeout()
    {
        await using var server = LoopbackServer.Silent();
        using var client = new HttpClient { Timeout = TimeSpan.FromMilliseconds(200) };

        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync(server.Url));

        Assert.IsType<TimeoutException>(thrown.InnerException);
        Assert.Equal(FaultKind.Timeout, FaultClassifier.Default.Classify(thrown, CancellationToken.None).Kind);
    }

    [Fact]
    public async Task Classify_HttpCallCancelledByCallerToken_IsCancelled()
    {
        await using var server = LoopbackServer.Silent();
        using var client = new HttpClient { Timeout = Deadline };
        using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync(server.Url, caller.Token));

        Assert.Equal(FaultKind.Cancelled, FaultClassifier.Default.Classify(thrown, caller.Token).Kind);
    }

    [Fact]
    public async Task Classify_CancellationWhenCallerTokenWasNotCancelled_IsTimeout()
    {
        await using var server = LoopbackServer.Silent();
        using var client = new HttpClient { Timeout = Deadline };
        using var somebodysDeadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        using var caller = new CancellationTokenSource();

        var thrown = await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.GetAsync(server.Url, somebodysDeadline.Token));

        Assert.Equal(FaultKind.Timeout, FaultClassifier.Default.Classify(thrown, caller.Token).Kind);
        Assert.Equal(FaultKind.Timeout, FaultClassifier.Default.Classify(thrown).Kind);
    }

    [Fact]
    public async Task Classify_HttpClientToClosedPort_IsNetwork()
    {
        using var client = new HttpClient { Timeout = Deadline };

        var thrown = await Assert.ThrowsAsync<HttpRequestException>(
            () => client.GetAsync(new Uri($"http://127.0.0.1:{LoopbackServer.ClosedPort()}/")));

        Assert.Equal(HttpRequestError.ConnectionError, thrown.HttpRequestError);
        Assert.IsType<SocketException>(thrown.InnerException);
        Assert.Equal(FaultKind.Network, FaultClassifier.Default.Classify(thrown).Kind);
    }

    [Fact]
    public async Task Classify_ResponseBodyCutShort_IsNetwork()
    {
        await using var server = LoopbackServer.Answering("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
        using var client = new HttpClient { Timeout = Deadline };
        using var response = await client.GetAsync(server.Url, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();

        var thrown = await Assert.ThrowsAsync<HttpIOException>(() => body.ReadExactlyAsync(new byte[100]).AsTask());

        Assert.Equal(HttpRequestError.ResponseEnded, thrown.HttpRequestError);
        Assert.Equal(FaultKind.Network, FaultClassifier.Default.Classify(thrown).Kind);
    }

    [Theory]
    [InlineData(429, FaultKind.RateLimited)]
    [InlineData(401, FaultKind.Auth)]
    [InlineData(403, FaultKind.Auth)]
    [InlineData(407, FaultKind.Auth)]
    [InlineData(408, FaultKind.Timeout)]
    [InlineData(504, FaultKind.Timeout)]
    [InlineData(502, FaultKind.Network)]
    [InlineData(503, FaultKind.Network)]
    [InlineData(500, FaultKind.Network)] // the server's failure, not ours
    [InlineData(404, FaultKind.Bug)]
    [InlineData(400, FaultKind.Bug)]
    public async Task Classify_EnsureSuccessStatusCodeOnLoopbackAnswer_DecidesByStatus(int status, FaultKind expected)
    {
        await using var server = LoopbackServer.AnsweringStatus(status);
        using var client = new HttpClient { Timeout = Deadline };
        using var response = await client.GetAsync(server.Url);

        var thrown = Assert.Throws<HttpRequestException>(() => response.EnsureSuccessStatusCode());

        Assert.Equal((HttpStatusCode)status, thrown.StatusCode);
        var fault = FaultClassifier.Default.Classify(thrown);
        Assert.Equal(expected, fault.Kind);
        Assert.Null(fault.RetryAfter);
    }

    [Fact]
    public void Classify_HttpRequestExceptionWithSocketTimeoutInside_IsTimeoutNotNetwork()
    {
        var exception = new HttpRequestException(
            HttpRequestError.ConnectionError, "connect failed", new SocketException((int)SocketError.TimedOut));

        Assert.Equal(FaultKind.Timeout, FaultClassifier.Default.Classify(exception).Kind);
    }

    [Fact]
    public void Classify_HttpRequestExceptionWithDescriptorExhaustionInside_IsResource()
    {
        var exception = new HttpRequestException(
            HttpRequestError.ConnectionError, "connect failed", new SocketException((int)SocketError.TooManyOpenSockets));

        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(exception).Kind);
    }

    [Theory]
    [InlineData(HttpRequestError.ConnectionError, FaultKind.Network)]
    [InlineData(HttpRequestError.NameResolutionError, FaultKind.Network)]
    [InlineData(HttpRequestError.SecureConnectionError, FaultKind.Network)]
    [InlineData(HttpRequestError.ProxyTunnelError, FaultKind.Network)]
    [InlineData(HttpRequestError.ResponseEnded, FaultKind.Network)]
    [InlineData(HttpRequestError.HttpProtocolError, FaultKind.Network)]
    [InlineData(HttpRequestError.UserAuthenticationError, FaultKind.Auth)]
    [InlineData(HttpRequestError.InvalidResponse, FaultKind.Network)] // not HTTP at all: a proxy or portal in the way
    [InlineData(HttpRequestError.ConfigurationLimitExceeded, FaultKind.Bug)]
    [InlineData(HttpRequestError.Unknown, FaultKind.Bug)]
    public void Classify_HttpRequestErrorWithoutInnerCause_DecidesByError(HttpRequestError error, FaultKind expected)
    {
        var exception = new HttpRequestException(error, "request failed");

        Assert.Equal(expected, FaultClassifier.Default.Classify(exception).Kind);
    }

    [Fact]
    public void Classify_HttpRequestErrorWithUnknownInnerCause_DecidesByError()
    {
        var exception = new HttpRequestException(
            HttpRequestError.SecureConnectionError,
            "TLS failed",
            new System.Security.Authentication.AuthenticationException("handshake"));

        Assert.Equal(FaultKind.Network, FaultClassifier.Default.Classify(exception).Kind);
    }
}
