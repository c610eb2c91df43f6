using System.Text.RegularExpressions;
using Tgwatch.Sinks.Webhook;

namespace Tgwatch.Cli.Hosting;

/// <summary>
/// The names of webhook outboxes as the user gives them: the safe name that <c>status</c> and <c>run</c> print
/// (<c>webhook:https://host:443/…#1a2b3c4d</c>), or the webhook's address (<c>webhook:URL</c> or the URL alone).
/// </summary>
internal static partial class OutboxNames
{
    /// <summary>Whether <paramref name="sink"/> is the name of a webhook's outbox.</summary>
    public static bool IsWebhook(string sink) => sink.StartsWith("webhook:", StringComparison.Ordinal);

    /// <summary>
    /// The outbox name <paramref name="text"/> stands for, or null with the reason in the user's words (never the address,
    /// which may hold a secret).
    /// </summary>
    public static (string? Name, string? Error) Resolve(string text, string option)
    {
        var value = text.Trim();
        if (SafeName().IsMatch(value)) return (value, null);
        var address = value.StartsWith("webhook:", StringComparison.OrdinalIgnoreCase) ? value["webhook:".Length..] : value;
        if (Uri.TryCreate(address, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
            return (SafeUrl.SinkName(url), null);
        return (null, $"{option} expects a webhook as tgwatch status names it (webhook:https://host:443/…#1a2b3c4d) or its address (webhook:https://host/path)");
    }

    [GeneratedRegex(@"^webhook:https?://[^/\s]+:\d+(/…)?#[0-9a-f]{8}$")]
    private static partial Regex SafeName();
}
