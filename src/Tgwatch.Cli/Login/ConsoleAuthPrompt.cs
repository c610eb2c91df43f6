using System.Text;
using Tgwatch.Tdlib.Auth;

namespace Tgwatch.Cli.Login;

/// <summary>
/// A person at a terminal: the answers given as options or environment variables are used first (once each), the
/// rest is asked for on <paramref name="output"/> (stderr) and read from <paramref name="input"/>; a refused answer
/// is asked for again. The password is read without echo when <paramref name="hideTyping"/> (a real console).
/// </summary>
internal sealed class ConsoleAuthPrompt(AuthAnswers given, TextReader input, TextWriter output, bool hideTyping) : IAuthPrompt
{
    private readonly AuthAnswers _given = given.Registered();
    private bool _identityUsed, _codeUsed, _passwordUsed;

    public bool CanAskAgain => true;

    public async ValueTask<AuthIdentity> AskIdentityAsync(string? problem, CancellationToken ct)
    {
        if (!_identityUsed)
        {
            _identityUsed = true;
            if (!string.IsNullOrEmpty(_given.BotToken)) return AuthIdentity.Bot(_given.BotToken);
            if (!string.IsNullOrEmpty(_given.PhoneNumber)) return AuthIdentity.Phone(_given.PhoneNumber);
            if (_given.QrCode) return AuthIdentity.QrCode;
        }
        await TellAsync(problem).ConfigureAwait(false);
        while (true)
        {
            var answer = await AskAsync("Phone number (international format, +…), a bot token, or 'qr' to log in by QR code: ", ct).ConfigureAwait(false);
            if (answer.Equals("qr", StringComparison.OrdinalIgnoreCase)) return AuthIdentity.QrCode;
            if (Secrets.BotToken.IsWellFormed(answer)) return AuthIdentity.Bot(answer);
            if (answer.Length > 0) return AuthIdentity.Phone(answer);
        }
    }

    public async ValueTask<string> AskCodeAsync(AuthCodeInfo info, string? problem, CancellationToken ct)
    {
        if (!_codeUsed && !string.IsNullOrEmpty(_given.Code))
        {
            _codeUsed = true;
            return _given.Code;
        }
        await TellAsync(problem ?? $"Telegram sent the login code by {info.SentVia}.").ConfigureAwait(false);
        return await AskNonEmptyAsync("Login code: ", hide: false, ct).ConfigureAwait(false);
    }

    public async ValueTask<string> AskPasswordAsync(string hint, string? problem, CancellationToken ct)
    {
        if (!_passwordUsed && !string.IsNullOrEmpty(_given.Password))
        {
            _passwordUsed = true;
            return _given.Password;
        }
        await TellAsync(problem).ConfigureAwait(false);
        var question = string.IsNullOrEmpty(hint) ? "Two-step verification password: " : $"Two-step verification password (hint: {hint}): ";
        return await AskNonEmptyAsync(question, hide: true, ct).ConfigureAwait(false);
    }

    public async ValueTask ShowQrLinkAsync(string link, CancellationToken ct)
    {
        await output.WriteLineAsync("Confirm the login on a device logged in to the account (Settings > Devices > Link Desktop Device), with this link as a QR code:").ConfigureAwait(false);
        await output.WriteLineAsync(link).ConfigureAwait(false);
        await output.FlushAsync(ct).ConfigureAwait(false);
    }

    private async Task TellAsync(string? line)
    {
        if (string.IsNullOrEmpty(line)) return;
        await output.WriteLineAsync(line).ConfigureAwait(false);
    }

    private async Task<string> AskNonEmptyAsync(string question, bool hide, CancellationToken ct)
    {
        while (true)
        {
            var answer = await AskAsync(question, ct, hide).ConfigureAwait(false);
            if (answer.Length > 0) return answer;
        }
    }

    private async Task<string> AskAsync(string question, CancellationToken ct, bool hide = false)
    {
        await output.WriteAsync(question).ConfigureAwait(false);
        await output.FlushAsync(ct).ConfigureAwait(false);
        var line = hide && hideTyping ? ReadHidden() : await input.ReadLineAsync(ct).ConfigureAwait(false);
        if (line is null) throw new TdlibLoginException("the login was abandoned (end of input)");
        // A password is taken as typed: its spaces are part of it. A phone number, token or code is trimmed.
        return hide ? line : line.Trim();
    }

    private string? ReadHidden()
    {
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    output.WriteLine();
                    return text.ToString();
                case ConsoleKey.Backspace:
                    if (text.Length > 0) text.Length--;
                    break;
                default:
                    if (key.Modifiers == ConsoleModifiers.Control && key.Key == ConsoleKey.D && text.Length == 0) return null;
                    if (!char.IsControl(key.KeyChar)) text.Append(key.KeyChar);
                    break;
            }
        }
    }
}
