using System.Globalization;
using System.Net;

namespace Tgwatch.Cli.Http;

/// <summary>
/// Where the run's HTTP endpoint listens, read once from <c>Http:Listen</c>: <c>ADDRESS:PORT</c> with an IP address
/// (<c>[…]</c> around an IPv6 one), <c>localhost:PORT</c>, or <c>:PORT</c> for loopback. Port 0 takes a free port (the start
/// line says which).
/// </summary>
internal sealed record HttpListen(IPEndPoint EndPoint)
{
    /// <summary>What a value looks like, in words.</summary>
    public const string Expected = "expected ADDRESS:PORT, such as 127.0.0.1:9464, :9464 (loopback) or 0.0.0.0:9464";

    /// <summary>Whether only this machine can reach it.</summary>
    public bool IsLoopback => IPAddress.IsLoopback(EndPoint.Address);

    /// <summary>The base address at <paramref name="port"/> (the port it got, for port 0), as a client writes it.</summary>
    public string Url(int port) => $"http://{new IPEndPoint(EndPoint.Address, port)}";

    /// <summary>Reads <paramref name="text"/>; null, with <paramref name="problem"/>, when it is not an address to listen on.</summary>
    public static HttpListen? Parse(string text, out string? problem)
    {
        problem = Expected;
        var colon = text.LastIndexOf(':');
        if (colon < 0) return null;
        var host = text[..colon].Trim();
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > IPEndPoint.MaxPort) return null;
        IPAddress? address;
        if (host.Length == 0 || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) address = IPAddress.Loopback;
        else if (host.StartsWith('[') && host.EndsWith(']')) address = IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? v6 : null;
        else address = !host.Contains(':', StringComparison.Ordinal) && IPAddress.TryParse(host, out var v4) && v4.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && host.Count(c => c == '.') == 3 ? v4 : null;
        if (address is null) return null;
        problem = null;
        return new HttpListen(new IPEndPoint(address, port));
    }
}
