using System.Net;
using System.Net.Sockets;
using Tgwatch.Faults;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Faults;

public sealed class FaultClassifierSocketTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Classify_ConnectToClosedLoopbackPort_IsNetwork()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        var thrown = await Assert.ThrowsAsync<SocketException>(
            () => socket.ConnectAsync(IPAddress.Loopback, LoopbackServer.ClosedPort()).WaitAsync(Deadline));

        Assert.Equal(SocketError.ConnectionRefused, thrown.SocketErrorCode);
        Assert.Equal(FaultKind.Network, FaultClassifier.Default.Classify(thrown).Kind);
    }

    [Fact]
    public async Task Classify_ReadWhenPeerResetsConnection_IsNetwork()
    {
        var (client, server) = await ConnectedPairAsync();
        using (client)
        {
            var stream = client.GetStream();
            var pending = stream.ReadAsync(new byte[16]).AsTask();

            ResetAndClose(server);

            var thrown = await Assert.ThrowsAsync<IOException>(() => pending.WaitAsync(Deadline));
            var socketError = Assert.IsType<SocketException>(thrown.InnerException);
            Assert.Equal(SocketError.ConnectionReset, socketError.SocketErrorCode);
            Assert.Equal(FaultKind.Network, FaultClassifier.Default.Classify(thrown).Kind);
        }
    }

    [Fact]
    public async Task Classify_WriteAfterPeerResetConnection_IsNetwork()
    {
        var (client, server) = await ConnectedPairAsync();
        using (client)
        {
            ResetAndClose(server);
            var stream = client.GetStream();

            var thrown = await Assert.ThrowsAsync<IOException>(async () =>
            {
                // A real socket: the reset travels asynchronously; the first write may still be accepted locally.
                for (var attempt = 0; attempt < 50; attempt++)
                {
                    await stream.WriteAsync(new byte[64]);
                    await Task.Delay(10);
                }
            });

            Assert.IsType<SocketException>(thrown.InnerException);
            Assert.Equal(FaultKind.Network, FaultClassifier.Default.Classify(thrown).Kind);
        }
    }

    [Fact]
    public async Task Classify_ReadExactlyWhenPeerClosesEarly_IsNetwork()
    {
        var (client, server) = await ConnectedPairAsync();
        using (client)
        {
            server.Send([1, 2]);
            server.Shutdown(SocketShutdown.Both);
            server.Close();

            var thrown = await Assert.ThrowsAsync<EndOfStreamException>(
                () => client.GetStream().ReadExactlyAsync(new byte[8]).AsTask().WaitAsync(Deadline));

            Assert.Equal(FaultKind.Network, FaultClassifier.Default.Classify(thrown).Kind);
        }
    }

    [Theory]
    [InlineData(SocketError.ConnectionReset, FaultKind.Network)]
    [InlineData(SocketError.ConnectionRefused, FaultKind.Network)]
    [InlineData(SocketError.ConnectionAborted, FaultKind.Network)]
    [InlineData(SocketError.NetworkUnreachable, FaultKind.Network)]
    [InlineData(SocketError.NetworkDown, FaultKind.Network)]
    [InlineData(SocketError.NetworkReset, FaultKind.Network)]
    [InlineData(SocketError.HostUnreachable, FaultKind.Network)]
    [InlineData(SocketError.HostDown, FaultKind.Network)]
    [InlineData(SocketError.HostNotFound, FaultKind.Network)]
    [InlineData(SocketError.TryAgain, FaultKind.Network)]
    [InlineData(SocketError.NoData, FaultKind.Network)]
    [InlineData(SocketError.NoRecovery, FaultKind.Network)]
    [InlineData(SocketError.Shutdown, FaultKind.Network)]
    [InlineData(SocketError.NotConnected, FaultKind.Network)]
    [InlineData(SocketError.Disconnecting, FaultKind.Network)]
    [InlineData(SocketError.OperationAborted, FaultKind.Network)]
    [InlineData(SocketError.Interrupted, FaultKind.Network)]
    [InlineData(SocketError.TimedOut, FaultKind.Timeout)]
    [InlineData(SocketError.AccessDenied, FaultKind.Resource)]
    [InlineData(SocketError.TooManyOpenSockets, FaultKind.Resource)]
    [InlineData(SocketError.NoBufferSpaceAvailable, FaultKind.Resource)]
    [InlineData(SocketError.AddressAlreadyInUse, FaultKind.Resource)]
    [InlineData(SocketError.AddressNotAvailable, FaultKind.Resource)]
    [InlineData(SocketError.ProcessLimit, FaultKind.Resource)]
    [InlineData(SocketError.InvalidArgument, FaultKind.Bug)]
    [InlineData(SocketError.IsConnected, FaultKind.Bug)]
    [InlineData(SocketError.AddressFamilyNotSupported, FaultKind.Bug)]
    [InlineData(SocketError.MessageSize, FaultKind.Bug)]
    [InlineData(SocketError.SocketError, FaultKind.Bug)]
    public void Classify_SocketErrorCode_DecidesTheKind(SocketError error, FaultKind expected)
    {
        var exception = new SocketException((int)error);

        Assert.Equal(error, exception.SocketErrorCode);
        Assert.Equal(expected, FaultClassifier.Default.Classify(exception).Kind);
    }

    [Fact]
    public void Classify_BindToAddressInUse_IsResource()
    {
        using var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        first.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        first.Listen();
        using var second = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        var thrown = Assert.Throws<SocketException>(() => second.Bind(first.LocalEndPoint!));

        Assert.Equal(SocketError.AddressAlreadyInUse, thrown.SocketErrorCode);
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(thrown).Kind);
    }

    private static async Task<(TcpClient Client, Socket Server)> ConnectedPairAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var client = new TcpClient(AddressFamily.InterNetwork);
            await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint).WaitAsync(Deadline);
            var server = await listener.AcceptSocketAsync().WaitAsync(Deadline);
            return (client, server);
        }
        finally
        {
            listener.Stop();
        }
    }

    private static void ResetAndClose(Socket server)
    {
        server.LingerState = new LingerOption(true, 0);
        server.Close();
    }
}
