using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Tgwatch.Cli.Http;

/// <summary>
/// The endpoint's token (<c>Http:Token</c>). A client sends it as <c>Authorization: Bearer TOKEN</c>. A browser cannot, so
/// the status page takes it once, from its prompt (POST to <c>/</c>) or as <c>/?token=TOKEN</c>, and answers with a cookie
/// and a redirect to <c>/</c> (the token leaves the address bar); the browser then carries the cookie, to the page and to
/// its script's fetches. The cookie holds not the token but a value derived from it (so a new token signs every browser
/// out); it is <c>HttpOnly</c>, <c>SameSite=Strict</c>, and lasts <see cref="CookieLifetime"/>.
/// </summary>
internal sealed class HttpToken
{
    /// <summary>The cookie's name.</summary>
    public const string CookieName = "tgwatch";

    /// <summary>How long a browser stays signed in.</summary>
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromDays(30);

    private readonly byte[] _token;
    private readonly byte[] _bearer;
    private readonly string _cookie;

    public HttpToken(string token)
    {
        _token = Encoding.UTF8.GetBytes(token);
        _bearer = Encoding.UTF8.GetBytes($"Bearer {token}");
        _cookie = Base64Url.EncodeToString(HMACSHA256.HashData(_token, "tgwatch status page"u8));
    }

    /// <summary>Whether <paramref name="request"/> carries the token, as a bearer or as the page's cookie.</summary>
    public bool Authorizes(HttpRequest request) =>
        Same(request.Headers.Authorization.ToString(), _bearer) || request.Cookies[CookieName] is { } cookie && Same(cookie, Encoding.ASCII.GetBytes(_cookie));

    /// <summary>Whether <paramref name="given"/> is the token.</summary>
    public bool Is(string? given) => given is not null && Same(given, _token);

    /// <summary>Gives the browser the page's cookie.</summary>
    public void SignIn(HttpResponse response) => response.Cookies.Append(CookieName, _cookie, new CookieOptions
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        MaxAge = CookieLifetime,
        Secure = response.HttpContext.Request.IsHttps,
        IsEssential = true,
    });

    private static bool Same(string given, byte[] expected) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), expected);
}
