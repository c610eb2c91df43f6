using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Text;

namespace Tgwatch.Chaos;

/// <summary>The server side of the SOCKS5 handshake (RFC 1928 §3-§6), read from and written to a stream.</summary>
internal static class Socks5Wire
{
    public const byte Version = 5;
    public const byte NoAuthentication = 0;
    public const byte UsernamePassword = 2;
    public const byte NoAcceptableMethod = 0xFF;
    public const byte Connect = 1;
    public const byte Succeeded = 0;
    public const byte ConnectionRefused = 5;
    public const byte CommandNotSupported = 7;

    /// <summary>
    /// Reads the greeting <c>VER NMETHODS METHODS…</c>; returns the methods offered, or null when the first
    /// byte is not version 5. Throws <see cref="EndOfStreamException"/> when the client stops early.
    /// </summary>
    public static async Task<byte[]?> ReadGreetingAsync(Stream stream, CancellationToken ct)
    {
        var head = new byte[2];
        await stream.ReadExactlyAsync(head, ct).ConfigureAwait(false);
        if (head[0] != Version)
        {
            return null;
        }

        var methods = new byte[head[1]];
        await stream.ReadExactlyAsync(methods, ct).ConfigureAwait(false);
        return methods;
    }

    /// <summary>The method choice <c>VER METHOD</c>: no authentication when offered, otherwise none acceptable.</summary>
    public static byte[] MethodReply(byte[] offered) =>
        [Version, offered.Contains(NoAuthentication) ? NoAuthentication : NoAcceptableMethod];

    /// <summary>
    /// Reads a request <c>VER CMD RSV ATYP DST.ADDR DST.PORT</c>; returns its command and target
    /// (<c>1.2.3.4:443</c>, <c>[2001:db8::1]:443</c>, <c>example.org:80</c>), or null when the version or the
    /// address type is not SOCKS5's.
    /// </summary>
    public static async Task<(byte Command, string Target)?> ReadRequestAsync(Stream stream, CancellationToken ct)
    {
        var head = new byte[4];
        await stream.ReadExactlyAsync(head, ct).ConfigureAwait(false);
        if (head[0] != Version)
        {
            return null;
        }

        string host;
        switch (head[3])
        {
            case 1:
            {
                var address = new byte[4];
                await stream.ReadExactlyAsync(address, ct).ConfigureAwait(false);
                host = new IPAddress(address).ToString();
                break;
            }

            case 4:
            {
                var address = new byte[16];
                await stream.ReadExactlyAsync(address, ct).ConfigureAwait(false);
                host = "[" + new IPAddress(address) + "]";
                break;
            }

            case 3:
            {
                var length = new byte[1];
                await stream.ReadExactlyAsync(length, ct).ConfigureAwait(false);
                var name = new byte[length[0]];
                await stream.ReadExactlyAsync(name, ct).ConfigureAwait(false);
                host = Encoding.ASCII.GetString(name);
                break;
            }

            default:
                return null;
        }

        var port = new byte[2];
        await stream.ReadExactlyAsync(port, ct).ConfigureAwait(false);
        return (head[1], string.Create(CultureInfo.InvariantCulture, $"{host}:{BinaryPrimitives.ReadUInt16BigEndian(port)}"));
    }

    /// <summary>A reply <c>VER REP RSV ATYP BND.ADDR BND.PORT</c> with the bound address 0.0.0.0:0.</summary>
    public static byte[] Reply(byte code) => [Version, code, 0, 1, 0, 0, 0, 0, 0, 0];
}
