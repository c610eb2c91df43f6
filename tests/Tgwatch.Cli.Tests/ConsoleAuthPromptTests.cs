using Tgwatch.Cli.Login;
using Tgwatch.Tdlib;
using Tgwatch.Tdlib.Auth;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary><c>tgwatch login</c> at a terminal: the login state machine with the console prompt and a scripted TDLib.</summary>
public sealed class ConsoleAuthPromptTests
{
    private const string Phone = "+15550104477";
    private readonly ScriptedTdSession _session = new();
    private readonly StringWriter _shown = new();

    public ConsoleAuthPromptTests()
    {
        _session.On("getAuthorizationState", _ => """{"@type":"authorizationStateWaitTdlibParameters"}""");
        _session.Push(Update("""{"@type":"authorizationStateWaitTdlibParameters"}"""));
        Then("setTdlibParameters", """{"@type":"authorizationStateWaitPhoneNumber"}""");
        Then("setAuthenticationPhoneNumber", """{"@type":"authorizationStateWaitCode","code_info":{"@type":"authenticationCodeInfo","phone_number":"15550104477","type":{"@type":"authenticationCodeTypeTelegramMessage","length":5},"next_type":null,"timeout":0}}""");
        Then("checkAuthenticationPassword", """{"@type":"authorizationStateReady"}""");
    }

    [Fact]
    public async Task Given_phone_is_used_then_the_code_and_password_are_asked_with_the_hint_and_a_wrong_code_again()
    {
        var codes = 0;
        _session.OnAsync("checkAuthenticationCode", (_, _) =>
        {
            if (++codes == 1) throw new TdlibErrorException(400, "PHONE_CODE_INVALID", "checkAuthenticationCode");
            _session.Push(Update("""{"@type":"authorizationStateWaitPassword","password_hint":"first pet","has_recovery_email_address":false,"has_passport_data":false,"recovery_email_address_pattern":""}"""));
            return Task.FromResult(ScriptedTdSession.Parse("""{"@type":"ok"}"""));
        });
        var typed = new StringReader("11111\n\n22222\nsecret pass\n");

        await OpenAsync(new ConsoleAuthPrompt(new AuthAnswers { PhoneNumber = Phone }, typed, _shown, hideTyping: false));

        Assert.Equal(["11111", "22222"], _session.SentOf("checkAuthenticationCode").Select(r => (string?)r["code"]));
        Assert.Equal("secret pass", (string?)Assert.Single(_session.SentOf("checkAuthenticationPassword"))["password"]);
        Assert.Equal(
            "Telegram sent the login code by a Telegram message to your other devices.\n" +
            "Login code: " +
            "Telegram refused the login code (PHONE_CODE_INVALID)\n" +
            "Login code: Login code: " +
            "Two-step verification password (hint: first pet): ", _shown.ToString());
        Assert.DoesNotContain(Phone, _shown.ToString());
    }

    [Fact]
    public async Task A_bot_token_typed_at_the_phone_question_logs_in_as_a_bot()
    {
        const string token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";
        Then("checkAuthenticationBotToken", """{"@type":"authorizationStateReady"}""");

        await OpenAsync(new ConsoleAuthPrompt(new AuthAnswers(), new StringReader(token + "\n"), _shown, hideTyping: false));

        Assert.Equal(token, (string?)Assert.Single(_session.SentOf("checkAuthenticationBotToken"))["token"]);
        Assert.StartsWith("Phone number (international format, +…), a bot token, or 'qr'", _shown.ToString());
    }

    [Fact]
    public async Task The_end_of_input_abandons_the_login_in_one_line()
    {
        var e = await Assert.ThrowsAsync<TdlibLoginException>(() =>
            OpenAsync(new ConsoleAuthPrompt(new AuthAnswers { PhoneNumber = Phone }, new StringReader(""), _shown, hideTyping: false)));

        Assert.Equal("the login was abandoned (end of input)", e.Message);
    }

    [Fact]
    public async Task A_typed_password_is_sent_as_typed_with_its_spaces()
    {
        // Telegram compares the password byte for byte; "  pass word " is another password than "pass word".
        Then("checkAuthenticationCode", """{"@type":"authorizationStateWaitPassword","password_hint":"","has_recovery_email_address":false,"has_passport_data":false,"recovery_email_address_pattern":""}""");
        var typed = new StringReader("11111\n  pass word \n");

        await OpenAsync(new ConsoleAuthPrompt(new AuthAnswers { PhoneNumber = Phone }, typed, _shown, hideTyping: false));

        Assert.Equal("  pass word ", (string?)Assert.Single(_session.SentOf("checkAuthenticationPassword"))["password"]);
    }

    private Task<TdAuthorizedSession> OpenAsync(IAuthPrompt prompt) =>
        TdAuthorizedSession.OpenAsync(_session, new TdAuthorization(_session, new TdlibParameters("/tmp/x", 94575, "0123456789abcdef0123456789abcdef"), prompt), TimeSpan.FromSeconds(10));

    private void Then(string request, string nextState) =>
        _session.OnAsync(request, (_, _) =>
        {
            _session.Push(Update(nextState));
            return Task.FromResult(ScriptedTdSession.Parse("""{"@type":"ok"}"""));
        });

    private static string Update(string state) => $$"""{"@type":"updateAuthorizationState","authorization_state":{{state}}}""";
}
