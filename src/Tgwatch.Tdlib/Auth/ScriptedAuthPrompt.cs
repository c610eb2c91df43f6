using Tgwatch.Secrets;

namespace Tgwatch.Tdlib.Auth;

/// <summary>Login answers given up front (options, environment). <see cref="ToString"/> leaves the values out.</summary>
public sealed record AuthAnswers
{
    /// <summary>The phone number, international format.</summary>
    public string? PhoneNumber { get; init; }

    /// <summary>A bot token (a bot login instead of a phone number).</summary>
    public string? BotToken { get; init; }

    /// <summary>The login code.</summary>
    public string? Code { get; init; }

    /// <summary>The two-step verification password.</summary>
    public string? Password { get; init; }

    /// <summary>Log in by a QR code confirmed on another device when neither phone number nor bot token is given.</summary>
    public bool QrCode { get; init; }

    /// <summary>Registers every value with <see cref="SecretRedactor.Default"/> (the phone number also as digits only).</summary>
    public AuthAnswers Registered()
    {
        TdAuthorization.RegisterPhoneNumber(PhoneNumber);
        SecretRedactor.Default.Register(BotToken);
        SecretRedactor.Default.Register(Code);
        SecretRedactor.Default.Register(Password);
        return this;
    }

    /// <summary>Which answers are given, not what they are.</summary>
    public override string ToString() =>
        $"AuthAnswers {{ PhoneNumber = {Given(PhoneNumber)}, BotToken = {Given(BotToken)}, Code = {Given(Code)}, Password = {Given(Password)}, QrCode = {QrCode} }}";

    private static string Given(string? value) => string.IsNullOrEmpty(value) ? "none" : "given";
}

/// <summary>
/// Answers from <see cref="AuthAnswers"/> only: a missing answer throws <see cref="TdlibLoginAnswerMissingException"/>,
/// a refused one fails the login (nobody can be asked again). The QR link goes to <paramref name="output"/>.
/// </summary>
public sealed class ScriptedAuthPrompt(AuthAnswers answers, TextWriter? output = null) : IAuthPrompt
{
    private readonly AuthAnswers _answers = answers.Registered();

    /// <inheritdoc />
    public bool CanAskAgain => false;

    /// <inheritdoc />
    public ValueTask<AuthIdentity> AskIdentityAsync(string? problem, CancellationToken ct) =>
        ValueTask.FromResult(
            !string.IsNullOrEmpty(_answers.BotToken) ? AuthIdentity.Bot(_answers.BotToken)
            : !string.IsNullOrEmpty(_answers.PhoneNumber) ? AuthIdentity.Phone(_answers.PhoneNumber)
            : _answers.QrCode ? AuthIdentity.QrCode
            : throw new TdlibLoginAnswerMissingException(AuthQuestion.Identity));

    /// <inheritdoc />
    public ValueTask<string> AskCodeAsync(AuthCodeInfo info, string? problem, CancellationToken ct) =>
        ValueTask.FromResult(!string.IsNullOrEmpty(_answers.Code) ? _answers.Code : throw new TdlibLoginAnswerMissingException(AuthQuestion.Code));

    /// <inheritdoc />
    public ValueTask<string> AskPasswordAsync(string hint, string? problem, CancellationToken ct) =>
        ValueTask.FromResult(!string.IsNullOrEmpty(_answers.Password) ? _answers.Password : throw new TdlibLoginAnswerMissingException(AuthQuestion.Password, hint));

    /// <inheritdoc />
    public async ValueTask ShowQrLinkAsync(string link, CancellationToken ct)
    {
        if (output is null) return;
        await output.WriteLineAsync($"confirm the login on a device logged in to the account (Settings > Devices > Link Desktop Device): {link}").ConfigureAwait(false);
        await output.FlushAsync(ct).ConfigureAwait(false);
    }
}
