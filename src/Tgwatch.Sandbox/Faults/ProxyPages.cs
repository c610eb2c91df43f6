namespace Tgwatch.Sandbox.Faults;

/// <summary>The HTML a reverse proxy in front of the Bot API answers with when its backend is unreachable.</summary>
internal static class ProxyPages
{
    public static byte[] BadGateway { get; } = System.Text.Encoding.ASCII.GetBytes(
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n" +
        "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n");
}
