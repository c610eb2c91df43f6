namespace Tgwatch.Tdlib.Auth;

/// <summary>
/// Whoever answers TDLib's login questions: a person at a terminal, answers given up front by a script
/// (<see cref="ScriptedAuthPrompt"/>), or nobody (<see cref="NoAuthPrompt"/>, for programs that need an
/// existing session). Answers are secrets: an implementation never logs them.
/// </summary>
public interface IAuthPrompt
{
    /// <summary>True when a refused answer (wrong code, wrong password) may be asked for again; false: it fails the login.</summary>
    bool CanAskAgain { get; }

    /// <summary>Who logs in: a phone number, a bot token, or a QR code confirmed on another device.</summary>
    /// <param name="problem">Why the question is asked again (the previous answer was refused); null the first time.</param>
    /// <param name="ct">Cancels the question.</param>
    ValueTask<AuthIdentity> AskIdentityAsync(string? problem, CancellationToken ct);

    /// <summary>The login code Telegram sent.</summary>
    /// <param name="info">How the code was sent.</param>
    /// <param name="problem">Why the question is asked again; null the first time.</param>
    /// <param name="ct">Cancels the question.</param>
    ValueTask<string> AskCodeAsync(AuthCodeInfo info, string? problem, CancellationToken ct);

    /// <summary>The two-step verification password.</summary>
    /// <param name="hint">The password's hint as the user set it; empty when none.</param>
    /// <param name="problem">Why the question is asked again; null the first time.</param>
    /// <param name="ct">Cancels the question.</param>
    ValueTask<string> AskPasswordAsync(string hint, string? problem, CancellationToken ct);

    /// <summary>Shows the link to confirm the login on another device (as a QR code or a tg:// link). TDLib renews it often; each new one is shown.</summary>
    ValueTask ShowQrLinkAsync(string link, CancellationToken ct);
}

/// <summary>How a login starts.</summary>
public enum AuthIdentityKind
{
    /// <summary>A user's phone number, in international format.</summary>
    PhoneNumber,

    /// <summary>A bot token from BotFather.</summary>
    BotToken,

    /// <summary>A QR code scanned by another device logged in to the account.</summary>
    QrCode,
}

/// <summary>Who logs in. <see cref="ToString"/> leaves the value out.</summary>
public sealed record AuthIdentity(AuthIdentityKind Kind, string Value)
{
    /// <summary>A phone number login.</summary>
    public static AuthIdentity Phone(string number) => new(AuthIdentityKind.PhoneNumber, number);

    /// <summary>A bot token login.</summary>
    public static AuthIdentity Bot(string token) => new(AuthIdentityKind.BotToken, token);

    /// <summary>A QR code login.</summary>
    public static AuthIdentity QrCode { get; } = new(AuthIdentityKind.QrCode, "");

    /// <summary>The kind only; the value is a secret.</summary>
    public override string ToString() => $"AuthIdentity {{ Kind = {Kind} }}";
}

/// <summary>How Telegram sent the login code (<c>authenticationCodeInfo</c>).</summary>
/// <param name="SentVia">In words: "a Telegram message", "an SMS", "a phone call", ...</param>
/// <param name="Length">The code's length when TDLib tells it, else 0.</param>
/// <param name="ResendAfterSeconds">Seconds before another code may be asked for.</param>
public sealed record AuthCodeInfo(string SentVia, int Length, int ResendAfterSeconds);
