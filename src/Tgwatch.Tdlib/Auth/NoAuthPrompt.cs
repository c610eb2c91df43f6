namespace Tgwatch.Tdlib.Auth;

/// <summary>Nobody to ask: every question throws <see cref="TdlibNotLoggedInException"/>. For <c>run</c> and <c>chats</c>.</summary>
public sealed class NoAuthPrompt : IAuthPrompt
{
    /// <summary>The one instance.</summary>
    public static NoAuthPrompt Instance { get; } = new();

    private NoAuthPrompt() { }

    /// <inheritdoc />
    public bool CanAskAgain => false;

    /// <inheritdoc />
    public ValueTask<AuthIdentity> AskIdentityAsync(string? problem, CancellationToken ct) =>
        throw new TdlibNotLoggedInException("authorizationStateWaitPhoneNumber");

    /// <inheritdoc />
    public ValueTask<string> AskCodeAsync(AuthCodeInfo info, string? problem, CancellationToken ct) =>
        throw new TdlibNotLoggedInException("authorizationStateWaitCode");

    /// <inheritdoc />
    public ValueTask<string> AskPasswordAsync(string hint, string? problem, CancellationToken ct) =>
        throw new TdlibNotLoggedInException("authorizationStateWaitPassword");

    /// <inheritdoc />
    public ValueTask ShowQrLinkAsync(string link, CancellationToken ct) =>
        throw new TdlibNotLoggedInException("authorizationStateWaitOtherDeviceConfirmation");
}
