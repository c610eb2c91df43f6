using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Tgwatch.Faults;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Faults;

/// <summary>How the classifier walks inner exceptions and aggregates, and how it survives odd graphs.</summary>
public sealed class FaultClassifierStructureTests
{
    private static readonly SocketException Reset = new((int)SocketError.ConnectionReset);

    [Fact]
    public async Task Classify_WhenAllWithNetworkAndBugFailures_IsBug()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = socket.ConnectAsync(IPAddress.Loopback, LoopbackServer.ClosedPort());
        var defect = Task.Run(() => throw new InvalidOperationException("defect"));
        var all = Task.WhenAll(refused, defect);

        await Assert.ThrowsAnyAsync<Exception>(() => all.WaitAsync(TimeSpan.FromSeconds(2)));

        var aggregate = Assert.IsType<AggregateException>(all.Exception);
        Assert.Equal(2, aggregate.InnerExceptions.Count);
        Assert.Contains(aggregate.InnerExceptions, e => e is SocketException { SocketErrorCode: SocketError.ConnectionRefused });
        Assert.Contains(aggregate.InnerExceptions, e => e is InvalidOperationException);
        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(aggregate).Kind);
    }

    public static TheoryData<Exception[], FaultKind> AggregateMembers => new()
    {
        { [Reset, new TimeoutException()], FaultKind.Timeout },
        { [new TimeoutException(), Reset], FaultKind.Timeout },
        { [Reset, new TelegramApiException(429, "Too Many Requests: retry after 5")], FaultKind.RateLimited },
        { [new TelegramApiException(429, "x"), new TelegramApiException(401, "Unauthorized")], FaultKind.Auth },
        { [new TelegramApiException(401, "Unauthorized"), new IOException("full", 28)], FaultKind.Resource },
        { [new IOException("full", 28), new ArgumentException("defect")], FaultKind.Bug },
        { [new OperationCanceledException(), Reset], FaultKind.Network },
        { [new OperationCanceledException(), new TaskCanceledException()], FaultKind.Cancelled },
        { [], FaultKind.Bug },
    };

    [Theory]
    [MemberData(nameof(AggregateMembers))]
    public void Classify_AggregateException_TakesTheMostSevereMember(Exception[] members, FaultKind expected)
    {
        using var caller = new CancellationTokenSource();
        caller.Cancel();

        var fault = FaultClassifier.Default.Classify(new AggregateException(members), caller.Token);

        Assert.Equal(expected, fault.Kind);
    }

    [Fact]
    public void Classify_AggregateOfTwoRateLimits_KeepsTheLongerWait()
    {
        var aggregate = new AggregateException(
            new TelegramApiException(420, "FLOOD_WAIT_3"),
            new TelegramApiException(420, "FLOOD_WAIT_40"),
            new TelegramApiException(429, "Too Many Requests: retry after 7", TimeSpan.FromSeconds(7)));

        var fault = FaultClassifier.Default.Classify(aggregate);

        Assert.Equal(new Fault(FaultKind.RateLimited, TimeSpan.FromSeconds(40)), fault);
    }

    [Fact]
    public void Classify_NestedAggregates_AreWalked()
    {
        var nested = new AggregateException(
            new Exception("wrapper", new AggregateException(Reset, new IOException("full", 28))));

        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(nested).Kind);
    }

    [Fact]
    public void Classify_UnknownWrapperAroundSocketError_IsDecidedByTheCause()
    {
        var wrapped = new Exception("send failed", new IOException("write failed", Reset));

        Assert.Equal(FaultKind.Network, FaultClassifier.Default.Classify(wrapped).Kind);
    }

    [Fact]
    public void Classify_UnknownExceptionWithoutCause_IsBug()
    {
        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(new NullReferenceException()).Kind);
    }

    [Fact]
    public void Classify_KnownOuterException_IsNotOverruledByItsCause()
    {
        var outer = new TelegramApiException(400, "CHAT_ID_INVALID", innerException: Reset);

        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(outer).Kind);
    }

    [Fact]
    public void Classify_CauseTenWrappersDeep_IsFound()
    {
        Assert.Equal(FaultKind.Network, FaultClassifier.Default.Classify(Wrap(Reset, times: 10)).Kind);
    }

    [Fact]
    public void Classify_CauseBeyondTheDepthLimit_IsBug()
    {
        var deep = Wrap(Reset, times: FaultClassifier.MaxDepth + 4);

        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(deep).Kind);
    }

    [Fact]
    public async Task Classify_InnerExceptionCycle_Terminates()
    {
        var first = new InvalidOperationException("first");
        var second = new InvalidOperationException("second", first);
        SetInnerException(first, second);
        Assert.True(ReferenceEquals(first, first.InnerException?.InnerException), "the chain must be a cycle");

        var fault = await Task.Run(() => FaultClassifier.Default.Classify(first)).WaitAsync(TimeSpan.FromSeconds(2));

        Assert.Equal(FaultKind.Bug, fault.Kind);
    }

    [Fact]
    public void Classify_AggregateWithThousandMembers_ExaminesABoundedNumber()
    {
        var members = new Exception[1000];
        Array.Fill<Exception>(members, Reset);

        Assert.Equal(FaultKind.Network, FaultClassifier.Default.Classify(new AggregateException(members)).Kind);
    }

    [Fact]
    public void Classify_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => FaultClassifier.Default.Classify(null!));
    }

    private static Exception Wrap(Exception cause, int times)
    {
        var current = cause;
        for (var i = 0; i < times; i++)
        {
            current = new Exception($"wrapper {i}", current);
        }

        return current;
    }

    private static void SetInnerException(Exception exception, Exception inner)
    {
        var field = typeof(Exception).GetField("_innerException", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("System.Exception has no _innerException field on this runtime.");
        field.SetValue(exception, inner);
    }
}
