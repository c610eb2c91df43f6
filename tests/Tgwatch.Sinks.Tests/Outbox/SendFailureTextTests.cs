using System.Net.Http;
using System.Net.Sockets;
using Tgwatch.Faults;
using Tgwatch.Sinks.Outbox;

namespace Tgwatch.Sinks.Tests.Outbox;

public sealed class SendFailureTextTests
{
    private static readonly Fault Timeout = new(FaultKind.Timeout);

    [Fact]
    public void ARequestThatRanOutOfTime_IsTheTimeOut_NotTheSocketItsCancellationAborted()
    {
        // What the native program's HttpClient throws for a request past its time: the cancellation aborts the socket.
        var e = new TaskCanceledException("timed out", new IOException("aborted", new SocketException((int)SocketError.OperationAborted)));

        Assert.Equal("TaskCanceledException after 1s (the request timeout; the batch goes again)",
            SendFailureText.Of(e, Timeout, TimeSpan.FromSeconds(1), "the batch goes again"));
    }

    [Fact]
    public void ARequestThatRanOutOfTime_WithoutASocketInside_IsTheTimeOut() =>
        Assert.Equal("TaskCanceledException after 30s (the request timeout; the alert goes again)",
            SendFailureText.Of(new TaskCanceledException("timed out"), Timeout, TimeSpan.FromSeconds(30), "the alert goes again"));

    [Fact]
    public void ARefusedConnection_NamesTheHttpErrorAndTheSocketError()
    {
        var e = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:1)", new SocketException((int)SocketError.ConnectionRefused));

        Assert.Equal("HttpRequestException ConnectionError (ConnectionRefused)", SendFailureText.Of(e, new Fault(FaultKind.Network), TimeSpan.FromSeconds(1), "the batch goes again"));
    }

    [Fact]
    public void AnAbortedSocket_OutsideACancellation_IsNamed()
    {
        var e = new HttpRequestException(HttpRequestError.Unknown, "aborted", new IOException("x", new SocketException((int)SocketError.OperationAborted)));

        Assert.Equal("HttpRequestException (OperationAborted)", SendFailureText.Of(e, new Fault(FaultKind.Network), TimeSpan.FromSeconds(1), "the batch goes again"));
    }

    [Fact]
    public void AnHttpErrorInsideAnotherException_IsNamedOnce()
    {
        var e = new InvalidOperationException("wrapped", new HttpRequestException(HttpRequestError.NameResolutionError, "no such host",
            new HttpRequestException(HttpRequestError.ConnectionError, "inner")));

        Assert.Equal("InvalidOperationException NameResolutionError", SendFailureText.Of(e, new Fault(FaultKind.Network), TimeSpan.FromSeconds(1), "the batch goes again"));
    }
}
