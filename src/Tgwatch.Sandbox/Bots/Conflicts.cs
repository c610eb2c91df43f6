namespace Tgwatch.Sandbox.Bots;

/// <summary>Telegram's 409 descriptions (after "Conflict: ").</summary>
internal static class Conflicts
{
    public const string OtherGetUpdates = "terminated by other getUpdates request; make sure that only one bot instance is running";

    public const string WebhookActive = "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
}
