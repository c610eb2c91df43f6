using System.Net.Http;
using System.Net.Sockets;
using Tgwatch.Faults;
using Tgwatch.TestKit;

namespace Tgwatch.Chaos.Tests;

public sealed class ResetAfterBytesTests
{
    [Fact(Timeout = 20_000)]
    public async Task ResetAfterBytes_CutsAnHttpBodyInTheMiddle()
    {
        const int BodyLength = 1_000_000;
        await using var server = new HttpServer();
        await using var proxy = FaultProxy.Start(server.EndPoint);
        using var client = Net.HttpClient();
        proxy.SetFault(ProxyFault.ResetAfterBytes(64 * 1024));

        using var response = await client.GetAsync(Net.Url(proxy.Port, $"/bytes/{BodyLength}"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BodyLength, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync();
        var received = 0L;
        var thrown = await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            var buffer = new byte[8192];
            int read;
            while ((read = await body.ReadAsync(buffer).AsTask().WaitAsync(Net.Deadline)) > 0)
            {
                received += read;
            }
        });

        Assert.InRange(received, 1, 64 * 1024);
        Assert.Equal(FaultKind.Network, Verdict.Of(thrown));
        Assert.Equal(64 * 1024, proxy.Stats.BytesToClients);
        await Eventually.TrueAsync(() => proxy.Stats.ConnectionsReset == 1, "one connection reset");
    }

    [Fact(Timeout = 20_000)]
    public async Task ResetAfterBytes_Echo_DeliversExactlyTheLimitThenResets()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint, new FaultProxyOptions { InitialFault = ProxyFault.ResetAfterBytes(1000) });
        using var client = await Net.ConnectAsync(proxy.Port);

        await Net.SendAllAsync(client, Bytes.Random(5000, seed: 5));
        var received = 0;
        var thrown = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            var buffer = new byte[8192];
            int read;
            while ((read = await client.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Net.Deadline)) > 0)
            {
                received += read;
            }
        });

        Assert.Equal(SocketError.ConnectionReset, thrown.SocketErrorCode);
        Assert.Equal(FaultKind.Network, Verdict.Of(thrown));
        Assert.Equal(1000, received);
    }

    [Fact(Timeout = 20_000)]
    public async Task ResetAfterBytes_CountsFromWhenTheFaultIsSet()
    {
        await using var echo = new EchoServer();
        await using var proxy = FaultProxy.Start(echo.EndPoint);
        using var client = await Net.ConnectAsync(proxy.Port);
        await Net.EchoAsync(client, new byte[5000]);

        proxy.SetFault(ProxyFault.ResetAfterBytes(100));

        Assert.Equal(60, (await Net.EchoAsync(client, new byte[60])).Length);
        await Net.SendAllAsync(client, new byte[60]);
        var tail = await Net.ReceiveExactlyAsync(client, 40);
        Assert.Equal(40, tail.Length);
        var thrown = await Assert.ThrowsAsync<SocketException>(
            () => client.ReceiveAsync(new byte[64], SocketFlags.None).WaitAsync(Net.Deadline));
        Assert.Equal(SocketError.ConnectionReset, thrown.SocketErrorCode);
    }
}
