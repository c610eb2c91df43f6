using System.Globalization;

namespace Tgwatch.Sinks.Webhook;

/// <summary>Forms of a webhook address that are safe to log or to send.</summary>
public static class SafeUrl
{
    /// <summary>
    /// <c>scheme://host:port</c>, with <c>/…</c> when there is a path: no user info, path, query or fragment,
    /// since each may hold a secret (Slack and Discord put their tokens in the path).
    /// </summary>
    public static string ForLog(Uri url) =>
        string.Create(CultureInfo.InvariantCulture, $"{url.Scheme}://{url.Host}:{url.Port}{(url.AbsolutePath.Length > 1 ? "/…" : "")}");

    /// <summary>
    /// A name for the sink of an address that is safe to log and the same in every run:
    /// <c>webhook:scheme://host:port/…#</c> and the first 8 hex digits of the SHA-256 of the whole address.
    /// </summary>
    public static string SinkName(Uri url) =>
        $"webhook:{ForLog(url)}#{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(url.OriginalString)))[..8]}";

    /// <summary>The address without its user info (which goes into an Authorization header instead).</summary>
    public static Uri WithoutUserInfo(Uri url) =>
        string.IsNullOrEmpty(url.UserInfo) ? url : new UriBuilder(url) { UserName = "", Password = "" }.Uri;

    /// <summary>The <c>Basic</c> credentials of the address's user info, or null when it has none.</summary>
    public static string? BasicCredentials(Uri url)
    {
        if (string.IsNullOrEmpty(url.UserInfo)) return null;
        var plain = Uri.UnescapeDataString(url.UserInfo);
        return Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(plain));
    }
}
