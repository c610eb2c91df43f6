namespace Tgwatch.Tdlib.Auth;

/// <summary>The TDLib session has no logged-in account, and nobody may be asked to log in: run <c>tgwatch login</c> first.</summary>
public sealed class TdlibNotLoggedInException(string state)
    : Exception("not logged in to Telegram: run tgwatch login first")
{
    /// <summary>The authorization state TDLib reported (<c>authorizationStateWaitPhoneNumber</c>, ...).</summary>
    public string State { get; } = state;
}

/// <summary>The login did not finish: Telegram refused an answer, asked for something Tgwatch does not do, or did not answer. The message is one line without secrets.</summary>
public class TdlibLoginException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TdlibLoginException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>A login question that no answer was given for, where nobody can be asked (a script).</summary>
public sealed class TdlibLoginAnswerMissingException(AuthQuestion question, string? hint = null)
    : TdlibLoginException(question switch
    {
        AuthQuestion.Identity => "Telegram asks for a phone number or a bot token, and none was given",
        AuthQuestion.Code => "Telegram sent a login code, and none was given",
        _ => string.IsNullOrEmpty(hint)
            ? "Telegram asks for the two-step verification password, and none was given"
            : $"Telegram asks for the two-step verification password (hint: {hint}), and none was given",
    })
{
    /// <summary>The question.</summary>
    public AuthQuestion Question { get; } = question;

    /// <summary>The password hint, for <see cref="AuthQuestion.Password"/>.</summary>
    public string? Hint { get; } = hint;
}

/// <summary>The questions of a login.</summary>
public enum AuthQuestion
{
    /// <summary>Phone number or bot token.</summary>
    Identity,

    /// <summary>The login code.</summary>
    Code,

    /// <summary>The two-step verification password.</summary>
    Password,
}
