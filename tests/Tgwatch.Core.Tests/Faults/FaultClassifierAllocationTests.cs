using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Tgwatch.Faults;

namespace Tgwatch.Core.Tests.Faults;

/// <summary>Classify runs in the logging hot path and must not allocate.</summary>
public sealed class FaultClassifierAllocationTests
{
    public static TheoryData<string> Shapes => new(HotPathExceptions.Keys);

    private static readonly Dictionary<string, Exception> HotPathExceptions = new()
    {
        ["socket reset"] = new SocketException((int)SocketError.ConnectionReset),
        ["io with socket cause"] = new IOException("read failed", new SocketException((int)SocketError.ConnectionReset)),
        ["io with errno"] = new IOException("No space left on device", 28),
        ["plain io"] = new IOException(),
        ["http status"] = new HttpRequestException("status", null, HttpStatusCode.TooManyRequests),
        ["http connection error"] = new HttpRequestException(
            HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)),
        ["flood wait"] = new TelegramApiException(420, "FLOOD_WAIT_17"),
        ["session revoked"] = new TelegramApiException(401, "SESSION_REVOKED"),
        ["cancelled"] = new TaskCanceledException("cancelled", new TimeoutException()),
        ["aggregate"] = new AggregateException(
            new SocketException((int)SocketError.ConnectionReset), new TimeoutException(), new ArgumentException("defect")),
        ["unknown wrapper"] = new InvalidOperationException("wrapper", new IOException("x", 104)),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Classify_CommonShape_AllocatesNothing(string shape)
    {
        var exception = HotPathExceptions[shape];
        var classifier = new FaultClassifier([new NeverMatches()]);
        using var caller = new CancellationTokenSource();
        for (var i = 0; i < 100; i++)
        {
            classifier.Classify(exception, caller.Token);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            classifier.Classify(exception, caller.Token);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    private sealed class NeverMatches : IFaultRule
    {
        public Fault? TryClassify(Exception exception) => null;
    }
}
