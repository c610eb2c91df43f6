using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tgwatch.Cli.Http.Page;

/// <summary>
/// The status page at <c>/</c>: one HTML document with its style and script inside (<c>status.css</c>, <c>status.js</c>,
/// embedded in the program), needing nothing else. The server renders the figures of <c>/api/status</c> into it
/// (<see cref="PageHtml"/>), so it shows them without JavaScript; the script then fetches <c>/api/status</c> every 2 s and
/// renders the same cards (the layout is given to it as JSON).
/// </summary>
internal static class StatusPage
{
    private static readonly string Style = Resource("status.css");
    private static readonly string Script = Resource("status.js");
    private static readonly string Layout = LayoutJson();

    /// <summary>
    /// The pages' Content-Security-Policy: their own style and script (by hash) and fetches from where they came, nothing
    /// else: no other script, no image, no frame, no form sent elsewhere.
    /// </summary>
    public static string ContentSecurityPolicy { get; } =
        $"default-src 'none'; style-src '{Sha256(Style)}'; script-src '{Sha256(Script)}'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>The page with the figures of <paramref name="status"/> (an <c>/api/status</c> document), as of <paramref name="now"/>.</summary>
    public static string Html(JsonElement status, DateTimeOffset now)
    {
        var asOf = RunReadiness.Time(now).Replace('T', ' ');
        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            {Head(PageHtml.Title(status))}
            </head>
            <body>
            <header><h1>tgwatch</h1></header>
            <main id="status">{PageHtml.Cards(status)}</main>
            <footer><p id="updated" data-at="{asOf}">Figures of {asOf}.<noscript> Reload the page for new ones.</noscript></p></footer>
            <script type="application/json" id="layout">{Layout}</script>
            <script>{Script}</script>
            </body>
            </html>

            """;
    }

    /// <summary>What a browser without the token is shown: a field for it (sent with POST to <c>/</c>).</summary>
    public static string TokenPrompt(bool wrong) => $"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        {Head("tgwatch")}
        </head>
        <body>
        <header><h1>tgwatch</h1></header>
        <main><section class="card"><h2>Token</h2>
        <p>This run's page asks for its token (<code>Http:Token</code>).{(wrong ? " <strong class=\"stale\">That is not it.</strong>" : "")}</p>
        <form method="post"><input type="password" name="token" aria-label="Token" autocomplete="current-password" required autofocus><button>Open</button></form>
        </section></main>
        </body>
        </html>

        """;

    /// <summary>Sets the headers of a page: HTML, never cached (the figures are live), never told to another site.</summary>
    public static void SetHeaders(HttpResponse response)
    {
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    private static string Head(string title) => $"""
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>{PageHtml.Encode(title)}</title>
        <style>{Style}</style>
        """;

    private static string Resource(string name)
    {
        using var stream = typeof(StatusPage).Assembly.GetManifestResourceStream($"{typeof(StatusPage).Namespace}.{name}")
            ?? throw new InvalidOperationException($"the program lacks its resource {name}");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The layout as the script reads it (<c>&lt;</c> and <c>&gt;</c> escaped, so it cannot end its element).</summary>
    private static string LayoutJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer)) PageLayout.WriteJson(json);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Sha256(string text) => $"sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)))}";
}
