using System.Globalization;

namespace Tgwatch.Sinks.Webhook;

/// <summary>Forms of a webhook address that are safe to log or to send.</summary>
internal static class SafeUrl
{
    /// <summary><c>scheme://host:port/path</c>: no user info, query or fragment (they may hold secrets).</summary>
    public static string ForLog(Uri url) =>
        string.Create(CultureInfo.InvariantCulture, $"{url.Scheme}://{url.Host}:{url.Port}{url.AbsolutePath}");

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
