using System.Globalization;
using NATS.Client.Core;

namespace Tgwatch.Nats;

/// <summary>
/// A nats-server address as the user writes it, <c>nats://[user:password@|token@]host:port[?name=value&amp;…]</c>, read once: the
/// server without its credentials, the credentials apart (they never reach a log line or a sink's name), and the query's options.
/// </summary>
public sealed class NatsServerAddress
{
    private NatsServerAddress(Uri server, string? user, string? password, IReadOnlyDictionary<string, string> options)
    {
        Server = server;
        User = user;
        Password = password;
        Options = options;
    }

    /// <summary>The default port of nats-server.</summary>
    public const int DefaultPort = 4222;

    /// <summary>The server, <c>nats://host:port</c>: no credentials, no path, no query.</summary>
    public Uri Server { get; }

    /// <summary>The user of the address, or its token when no password follows it; null without credentials.</summary>
    public string? User { get; }

    /// <summary>The password of the address; null without one.</summary>
    public string? Password { get; }

    /// <summary>The options of the query (<c>stream</c>, <c>subject</c>, …), by lower-case name.</summary>
    public IReadOnlyDictionary<string, string> Options { get; }

    /// <summary>The server in a form safe to log: <c>nats://host:port</c>.</summary>
    public string ForLog => string.Create(CultureInfo.InvariantCulture, $"nats://{Server.Host}:{Server.Port}");

    /// <summary>The secrets of the address (user, password or token), to be masked wherever a line could carry them.</summary>
    public IEnumerable<string> Secrets => new[] { User, Password }.Where(s => !string.IsNullOrEmpty(s))!;

    /// <summary>Reads <paramref name="text"/>; the error is one line for the user that quotes no credentials.</summary>
    /// <param name="text">The address.</param>
    /// <param name="address">The address read, when it is one.</param>
    /// <param name="error">Why it is not one.</param>
    /// <param name="known">The query options the caller takes; another is an error.</param>
    public static bool TryParse(string text, out NatsServerAddress? address, out string error, params string[] known)
    {
        ArgumentNullException.ThrowIfNull(text);
        address = null;
        error = "";
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || url.Scheme != "nats" || url.Host.Length == 0)
        {
            error = "expected a nats-server address: nats://host:4222";
            return false;
        }
        if (url.AbsolutePath.Length > 1 || url.Fragment.Length > 0)
        {
            error = $"nats://{url.Host}:{PortOf(url)}: a nats-server address has no path; options go in its query (?stream=NAME)";
            return false;
        }
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                error = known.Length == 0
                    ? $"nats://{url.Host}:{PortOf(url)}: takes no options here, not '{name}'"
                    : $"nats://{url.Host}:{PortOf(url)}: '{name}' is not one of its options ({string.Join(", ", known)})";
                return false;
            }
            options[name] = value;
        }
        string? user = null, password = null;
        if (url.UserInfo.Length > 0)
        {
            var colon = url.UserInfo.IndexOf(':');
            user = Uri.UnescapeDataString(colon < 0 ? url.UserInfo : url.UserInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(url.UserInfo[(colon + 1)..]);
        }
        var server = new Uri(string.Create(CultureInfo.InvariantCulture, $"nats://{url.Host}:{PortOf(url)}"));
        address = new NatsServerAddress(server, user, password, options);
        return true;
    }

    private static int PortOf(Uri url) => url.IsDefaultPort || url.Port < 0 ? DefaultPort : url.Port;

    /// <summary>The client's options for this server: its credentials, no reconnect of its own beyond the client's, no log of its own.</summary>
    internal NatsOpts ClientOptions(string clientName, TimeSpan requestTimeout) => new()
    {
        Url = Server.ToString(),
        Name = clientName,
        AuthOpts = User is null ? NatsAuthOpts.Default
            : Password is null ? NatsAuthOpts.Default with { Token = User }
            : NatsAuthOpts.Default with { Username = User, Password = Password },
        RequestTimeout = requestTimeout,
        ConnectTimeout = requestTimeout,
        CommandTimeout = requestTimeout,
        // The sink and the connector retry with Tgwatch's backoff and say when the server is down: the client only reconnects.
        RetryOnInitialConnect = false,
        // A publish (or an acknowledgement) while the connection is down fails after the command timeout instead of waiting for the
        // server: the caller's retry, and its lines, decide what happens then.
        PublishTimeoutOnDisconnected = true,
        MaxReconnectRetry = -1,
        ReconnectWaitMin = TimeSpan.FromMilliseconds(200),
        ReconnectWaitMax = TimeSpan.FromSeconds(2),
    };
}
