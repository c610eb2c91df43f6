namespace Tgwatch.Sandbox.Wire;

/// <summary>Bot API <c>ChatFullInfo</c> (getChat) with its required fields.</summary>
internal sealed record WireChatFullInfo(
    long Id,
    string Type,
    string? Title,
    string? Username,
    string? FirstName,
    string? LastName,
    int AccentColorId,
    int MaxReactionCount,
    WireAcceptedGiftTypes AcceptedGiftTypes)
{
    public static WireChatFullInfo Of(WireChat chat) =>
        new(chat.Id, chat.Type, chat.Title, chat.Username, chat.FirstName, chat.LastName, 0, 11, new WireAcceptedGiftTypes(false, false, false, false));
}

/// <summary>Bot API <c>AcceptedGiftTypes</c>.</summary>
internal sealed record WireAcceptedGiftTypes(bool UnlimitedGifts, bool LimitedGifts, bool UniqueGifts, bool PremiumSubscription);
