using System.Globalization;
using System.Text.Json;
using Tgwatch.Secrets;
using Tgwatch.Tdlib.Functions;

namespace Tgwatch.Tdlib.Auth;

/// <summary>
/// TDLib's authorization state machine, fed one <c>AuthorizationState</c> object at a time by whoever reads the
/// session's updates (<see cref="TdAuthorizedSession.OpenAsync"/>, or a caller's own update loop through
/// <see cref="HandleAsync"/>). It sends <c>setTdlibParameters</c>, asks <see cref="IAuthPrompt"/> for the phone number
/// (or bot token, or QR code), the code and the two-step password, refuses registration of a new account, and
/// reports <c>authorizationStateReady</c>. A refused code or password is asked again when the prompt can ask
/// again, else the login fails with one line (<see cref="TdlibLoginException"/>). Every answer is registered with
/// <see cref="SecretRedactor.Default"/> before it is sent.
/// </summary>
public sealed class TdAuthorization
{
    private readonly ITdSession _session;
    private readonly TdlibParameters _parameters;
    private readonly IAuthPrompt _prompt;
    private bool _parametersSent;

    /// <summary>Creates the state machine for <paramref name="session"/>.</summary>
    /// <param name="session">The session; a <see cref="TdClient"/> gets its parameters through <see cref="TdClient.SetParametersAsync"/>, which locks the database directory.</param>
    /// <param name="parameters">The <c>setTdlibParameters</c> settings.</param>
    /// <param name="prompt">Who answers the login questions.</param>
    /// <param name="requestTimeout">How long each request may wait for Telegram (default 30 s).</param>
    public TdAuthorization(ITdSession session, TdlibParameters parameters, IAuthPrompt prompt, TimeSpan? requestTimeout = null)
    {
        _session = session ?? throw new ArgumentNullException(nameof(session));
        _parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        _prompt = prompt ?? throw new ArgumentNullException(nameof(prompt));
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30);
        SecretRedactor.Default.Register(parameters.ApiHash);
    }

    /// <summary>How long each request may wait for Telegram.</summary>
    public TimeSpan RequestTimeout { get; }

    /// <summary>The <c>@type</c> of the last state handled; null before the first.</summary>
    public string? State { get; private set; }

    /// <summary>True once <c>authorizationStateReady</c> was handled.</summary>
    public bool IsReady => State == "authorizationStateReady";

    /// <summary>The <c>authorization_state</c> of an <c>updateAuthorizationState</c> update.</summary>
    public static bool TryGetState(JsonElement update, out JsonElement state)
    {
        state = default;
        return update.ValueKind == JsonValueKind.Object
            && update.TryGetProperty("@type", out var type) && type.ValueEquals("updateAuthorizationState")
            && update.TryGetProperty("authorization_state", out state) && state.ValueKind == JsonValueKind.Object;
    }

    /// <summary>Registers a phone number with <see cref="SecretRedactor.Default"/> as given and as digits only (TDLib writes it without '+').</summary>
    public static void RegisterPhoneNumber(string? phoneNumber)
    {
        if (string.IsNullOrEmpty(phoneNumber)) return;
        SecretRedactor.Default.Register(phoneNumber);
        SecretRedactor.Default.Register(new string([.. phoneNumber.Where(char.IsAsciiDigit)]));
    }

    /// <summary>
    /// Acts on one <c>AuthorizationState</c> object; returns true when it is <c>authorizationStateReady</c>.
    /// Throws <see cref="TdlibNotLoggedInException"/> when a person is needed and the prompt is <see cref="NoAuthPrompt"/>,
    /// <see cref="TdlibLoginException"/> when the login cannot finish, <see cref="TdlibDatabaseInUseException"/> from the parameters.
    /// </summary>
    public async Task<bool> HandleAsync(JsonElement authorizationState, CancellationToken ct = default)
    {
        var type = authorizationState.TryGetProperty("@type", out var t) ? t.GetString() ?? "" : "";
        State = type;
        switch (type)
        {
            case "authorizationStateWaitTdlibParameters":
                await SendParametersAsync(ct).ConfigureAwait(false);
                return false;
            case "authorizationStateReady":
                return true;
            case "authorizationStateLoggingOut" or "authorizationStateClosing":
                return false;
            case "authorizationStateClosed":
                throw new TdlibLoginException("TDLib closed the session before the account was logged in");
        }
        if (_prompt is NoAuthPrompt) throw new TdlibNotLoggedInException(type);
        switch (type)
        {
            case "authorizationStateWaitPhoneNumber":
                await IdentifyAsync(ct).ConfigureAwait(false);
                break;
            case "authorizationStateWaitCode":
                await CheckCodeAsync(CodeInfo(authorizationState), ct).ConfigureAwait(false);
                break;
            case "authorizationStateWaitPassword":
                var hint = authorizationState.TryGetProperty("password_hint", out var h) ? h.GetString() ?? "" : "";
                await CheckPasswordAsync(hint, ct).ConfigureAwait(false);
                break;
            case "authorizationStateWaitOtherDeviceConfirmation":
                await _prompt.ShowQrLinkAsync(authorizationState.GetProperty("link").GetString() ?? "", ct).ConfigureAwait(false);
                break;
            case "authorizationStateWaitRegistration":
                throw new TdlibLoginException("this phone number has no Telegram account, and Tgwatch does not create accounts: sign up with a Telegram app first, then log in again");
            case "authorizationStateWaitEmailAddress" or "authorizationStateWaitEmailCode":
                throw new TdlibLoginException("Telegram asks for a login email address, which Tgwatch does not handle: log in once with a Telegram app to set it up, then log in again");
            case "authorizationStateWaitPremiumPurchase":
                throw new TdlibLoginException("Telegram asks for a Telegram Premium purchase before this login, which Tgwatch cannot make");
            default:
                throw new TdlibLoginException($"TDLib reported the authorization state '{type}', which Tgwatch does not know");
        }
        return false;
    }

    private async Task SendParametersAsync(CancellationToken ct)
    {
        if (_parametersSent) return;
        _parametersSent = true;
        if (_session is TdClient client) await client.SetParametersAsync(_parameters, RequestTimeout, ct).ConfigureAwait(false);
        else await _session.SendAsync(_parameters.ToRequest(), RequestTimeout, ct).ConfigureAwait(false);
    }

    private async Task IdentifyAsync(CancellationToken ct)
    {
        string? problem = null;
        while (true)
        {
            var identity = await _prompt.AskIdentityAsync(problem, ct).ConfigureAwait(false);
            TdFunction request = identity.Kind switch
            {
                AuthIdentityKind.PhoneNumber => new SetAuthenticationPhoneNumber(identity.Value),
                AuthIdentityKind.BotToken => new CheckAuthenticationBotToken(identity.Value),
                _ => new RequestQrCodeAuthentication([]),
            };
            if (identity.Kind == AuthIdentityKind.PhoneNumber) RegisterPhoneNumber(identity.Value);
            else SecretRedactor.Default.Register(identity.Value);
            problem = await TrySendAsync(request, identity.Kind == AuthIdentityKind.BotToken ? "the bot token" : "the phone number",
                ["PHONE_NUMBER_INVALID", "ACCESS_TOKEN_INVALID", "ACCESS_TOKEN_EXPIRED"], ct).ConfigureAwait(false);
            if (problem is null) return;
        }
    }

    private async Task CheckCodeAsync(AuthCodeInfo info, CancellationToken ct)
    {
        string? problem = null;
        while (true)
        {
            var code = (await _prompt.AskCodeAsync(info, problem, ct).ConfigureAwait(false)).Trim();
            SecretRedactor.Default.Register(code);
            problem = await TrySendAsync(new CheckAuthenticationCode(code), "the login code",
                ["PHONE_CODE_INVALID", "PHONE_CODE_EMPTY"], ct).ConfigureAwait(false);
            if (problem is null) return;
        }
    }

    private async Task CheckPasswordAsync(string hint, CancellationToken ct)
    {
        string? problem = null;
        while (true)
        {
            var password = await _prompt.AskPasswordAsync(hint, problem, ct).ConfigureAwait(false);
            SecretRedactor.Default.Register(password);
            problem = await TrySendAsync(new CheckAuthenticationPassword(password), "the password",
                ["PASSWORD_HASH_INVALID"], ct).ConfigureAwait(false);
            if (problem is null) return;
        }
    }

    /// <summary>Sends an answer; null when taken, the problem to ask again with when refused with one of <paramref name="askAgainOn"/> and the prompt can ask again.</summary>
    private async Task<string?> TrySendAsync(TdFunction request, string what, string[] askAgainOn, CancellationToken ct)
    {
        var type = request.TypeName;
        try
        {
            await _session.SendAsync(request, RequestTimeout, ct).ConfigureAwait(false);
            return null;
        }
        catch (TdlibErrorException e) when (e.Code == 429)
        {
            throw new TdlibLoginException($"Telegram asks to wait before the next login attempt ({e.TdMessage})", e);
        }
        catch (TdlibErrorException e) when (Array.IndexOf(askAgainOn, e.TdMessage) >= 0)
        {
            var problem = $"Telegram refused {what} ({e.TdMessage})";
            return _prompt.CanAskAgain ? problem : throw new TdlibLoginException(problem, e);
        }
        catch (TdlibErrorException e)
        {
            throw new TdlibLoginException($"Telegram refused {what} ({e.TdMessage})", e);
        }
        catch (TimeoutException e)
        {
            throw new TdlibLoginException(
                $"no answer from Telegram to {type} within {RequestTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s: is the network (or the proxy) down?", e);
        }
    }

    private static AuthCodeInfo CodeInfo(JsonElement state)
    {
        if (!state.TryGetProperty("code_info", out var info) || info.ValueKind != JsonValueKind.Object) return new AuthCodeInfo("an unknown way", 0, 0);
        var timeout = info.TryGetProperty("timeout", out var t) && t.TryGetInt32(out var seconds) ? seconds : 0;
        if (!info.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.Object) return new AuthCodeInfo("an unknown way", 0, timeout);
        var length = type.TryGetProperty("length", out var l) && l.TryGetInt32(out var n) ? n : 0;
        var via = type.TryGetProperty("@type", out var kind) ? kind.GetString() switch
        {
            "authenticationCodeTypeTelegramMessage" => "a Telegram message to your other devices",
            "authenticationCodeTypeSms" or "authenticationCodeTypeSmsWord" or "authenticationCodeTypeSmsPhrase" => "an SMS",
            "authenticationCodeTypeCall" => "a phone call",
            "authenticationCodeTypeFlashCall" or "authenticationCodeTypeMissedCall" => "a missed call (the code is the end of the caller's number)",
            "authenticationCodeTypeFragment" => "fragment.com",
            "authenticationCodeTypeFirebaseAndroid" or "authenticationCodeTypeFirebaseIos" => "the official app",
            _ => "an unknown way",
        } : "an unknown way";
        return new AuthCodeInfo(via, length, timeout);
    }
}
