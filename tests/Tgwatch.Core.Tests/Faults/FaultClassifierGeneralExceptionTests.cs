using System.Net.Sockets;
using Tgwatch.Faults;

namespace Tgwatch.Core.Tests.Faults;

public sealed class FaultClassifierGeneralExceptionTests
{
    public static TheoryData<Exception> GeneralExceptionsWrappingANetworkError => new()
    {
        new InvalidOperationException("state broken", new SocketException((int)SocketError.ConnectionRefused)),
        new ObjectDisposedException("client", new SocketException((int)SocketError.ConnectionReset)),
        new ArgumentException("bad", new TimeoutException()),
        new FormatException("bad json", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))),
    };

    [Theory]
    [MemberData(nameof(GeneralExceptionsWrappingANetworkError))]
    public void Classify_GeneralExceptionWrappingANetworkError_IsABug(Exception exception)
    {
        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(exception).Kind);
    }

    private sealed class LibraryRequestException(string message, Exception inner) : Exception(message, inner);

    [Fact]
    public void Classify_UnknownLibraryExceptionWrappingANetworkError_TakesTheInnerVerdict()
    {
        var e = new LibraryRequestException("request failed", new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused)));
        Assert.Equal(FaultKind.Network, FaultClassifier.Default.Classify(e).Kind);
    }
}
