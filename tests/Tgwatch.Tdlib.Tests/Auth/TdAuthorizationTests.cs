using System.Text.Json;
using System.Threading.Channels;
using Tgwatch.Secrets;
using Tgwatch.Tdlib.Auth;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;

namespace Tgwatch.Tdlib.Tests.Auth;

/// <summary>The login state machine against a scripted session that moves through TDLib's states as TDLib does.</summary>
public sealed class TdAuthorizationTests
{
    private const string Phone = "+15550104477";
    private const string Code = "73519";
    private const string Password = "correct horse battery";
    private const string BotToken = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";
    private static readonly TdlibParameters Parameters = new("/tmp/tgwatch-auth-test", 94575, "0123456789abcdef0123456789abcdef");

    private readonly ScriptedTdSession _session = new();

    public TdAuthorizationTests()
    {
        _session.On("getAuthorizationState", _ => """{"@type":"authorizationStateWaitTdlibParameters"}""");
        _session.Push(Update("authorizationStateWaitTdlibParameters"));
        Then("setTdlibParameters", Update("authorizationStateWaitPhoneNumber"));
    }

    [Fact]
    public async Task Phone_then_code_then_password_reach_ready_and_the_password_hint_is_shown()
    {
        Then("setAuthenticationPhoneNumber", Update("authorizationStateWaitCode", """
            "code_info":{"@type":"authenticationCodeInfo","phone_number":"15550104477","type":{"@type":"authenticationCodeTypeSms","length":5},"timeout":60}
            """));
        Then("checkAuthenticationCode", Update("authorizationStateWaitPassword", """
            "password_hint":"the usual","has_recovery_email_address":false,"has_passport_data":false,"recovery_email_address_pattern":""
            """));
        Then("checkAuthenticationPassword", Update("authorizationStateReady"));
        var prompt = new PersonPrompt { Identities = { AuthIdentity.Phone(Phone) }, Codes = { Code }, Passwords = { Password } };

        var opened = await OpenAsync(prompt);

        Assert.Equal(Phone, (string?)Assert.Single(_session.SentOf("setAuthenticationPhoneNumber"))["phone_number"]);
        Assert.Equal(Code, (string?)Assert.Single(_session.SentOf("checkAuthenticationCode"))["code"]);
        Assert.Equal(Password, (string?)Assert.Single(_session.SentOf("checkAuthenticationPassword"))["password"]);
        Assert.Equal(94575, (int?)Assert.Single(_session.SentOf("setTdlibParameters"))["api_id"]);
        Assert.Equal(["the usual"], prompt.Hints);
        Assert.Equal(new AuthCodeInfo("an SMS", 5, 60), Assert.Single(prompt.CodeInfos));
        Assert.Equal([null, null, null], prompt.Problems);
        Assert.Equal(0, opened.EarlierUpdates);
    }

    [Fact]
    public async Task A_wrong_code_then_the_right_one_logs_in_when_a_person_answers()
    {
        Then("setAuthenticationPhoneNumber", Update("authorizationStateWaitCode", """ "code_info":null"""));
        var attempts = 0;
        _session.OnAsync("checkAuthenticationCode", (request, _) =>
        {
            if (++attempts == 1) throw new TdlibErrorException(400, "PHONE_CODE_INVALID", "checkAuthenticationCode");
            _session.Push(Update("authorizationStateReady"));
            return Task.FromResult(ScriptedTdSession.Parse("""{"@type":"ok"}"""));
        });
        var prompt = new PersonPrompt { Identities = { AuthIdentity.Phone(Phone) }, Codes = { "11111", Code } };

        await OpenAsync(prompt);

        Assert.Equal(["11111", Code], _session.SentOf("checkAuthenticationCode").Select(r => (string?)r["code"]));
        Assert.Equal([null, null, "Telegram refused the login code (PHONE_CODE_INVALID)"], prompt.Problems);
    }

    [Fact]
    public async Task A_wrong_password_fails_a_scripted_login_with_one_line_and_no_secret()
    {
        Then("setAuthenticationPhoneNumber", Update("authorizationStateWaitPassword", """ "password_hint":"","has_recovery_email_address":false,"has_passport_data":false,"recovery_email_address_pattern":"" """));
        _session.Fail("checkAuthenticationPassword", 400, "PASSWORD_HASH_INVALID");
        var prompt = new ScriptedAuthPrompt(new AuthAnswers { PhoneNumber = Phone, Password = Password });

        var e = await Assert.ThrowsAsync<TdlibLoginException>(() => OpenAsync(prompt));

        Assert.Equal("Telegram refused the password (PASSWORD_HASH_INVALID)", e.Message);
        Assert.Single(_session.SentOf("checkAuthenticationPassword"));
    }

    [Fact]
    public async Task A_wrong_code_fails_a_scripted_login_without_asking_again()
    {
        Then("setAuthenticationPhoneNumber", Update("authorizationStateWaitCode", """ "code_info":null"""));
        _session.Fail("checkAuthenticationCode", 400, "PHONE_CODE_INVALID");

        var e = await Assert.ThrowsAsync<TdlibLoginException>(() => OpenAsync(new ScriptedAuthPrompt(new AuthAnswers { PhoneNumber = Phone, Code = Code })));

        Assert.Equal("Telegram refused the login code (PHONE_CODE_INVALID)", e.Message);
        Assert.Single(_session.SentOf("checkAuthenticationCode"));
    }

    [Fact]
    public async Task Registration_of_a_new_account_is_refused_with_a_clear_message()
    {
        Then("setAuthenticationPhoneNumber", Update("authorizationStateWaitRegistration", """
            "terms_of_service":{"@type":"termsOfService","text":{"@type":"formattedText","text":"terms","entities":[]},"min_user_age":0,"show_popup":false}
            """));

        var e = await Assert.ThrowsAsync<TdlibLoginException>(() => OpenAsync(new ScriptedAuthPrompt(new AuthAnswers { PhoneNumber = Phone, Code = Code })));

        Assert.Contains("no Telegram account", e.Message);
        Assert.Contains("does not create accounts", e.Message);
        Assert.Empty(_session.SentOf("registerUser"));
    }

    [Fact]
    public async Task The_QR_code_link_is_shown_each_time_TDLib_renews_it()
    {
        _session.OnAsync("requestQrCodeAuthentication", (_, _) =>
        {
            _session.Push(Update("authorizationStateWaitOtherDeviceConfirmation", """ "link":"tg://login?token=first" """));
            _session.Push(Update("authorizationStateWaitOtherDeviceConfirmation", """ "link":"tg://login?token=second" """));
            _session.Push(Update("authorizationStateReady"));
            return Task.FromResult(ScriptedTdSession.Parse("""{"@type":"ok"}"""));
        });
        var output = new StringWriter();

        await OpenAsync(new ScriptedAuthPrompt(new AuthAnswers { QrCode = true }, output));

        var lines = output.ToString().TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.EndsWith("tg://login?token=first", lines[0]);
        Assert.EndsWith("tg://login?token=second", lines[1]);
    }

    [Fact]
    public async Task A_bot_token_logs_in_with_checkAuthenticationBotToken_instead_of_a_phone_number()
    {
        Then("checkAuthenticationBotToken", Update("authorizationStateReady"));

        await OpenAsync(new ScriptedAuthPrompt(new AuthAnswers { BotToken = BotToken, PhoneNumber = Phone }));

        Assert.Equal(BotToken, (string?)Assert.Single(_session.SentOf("checkAuthenticationBotToken"))["token"]);
        Assert.Empty(_session.SentOf("setAuthenticationPhoneNumber"));
    }

    [Theory]
    [InlineData(AuthQuestion.Identity, "Telegram asks for a phone number or a bot token, and none was given")]
    [InlineData(AuthQuestion.Code, "Telegram sent a login code, and none was given")]
    [InlineData(AuthQuestion.Password, "Telegram asks for the two-step verification password (hint: blue), and none was given")]
    public async Task A_missing_scripted_answer_is_a_typed_one_line_error(AuthQuestion missing, string message)
    {
        Then("setAuthenticationPhoneNumber", Update("authorizationStateWaitCode", """ "code_info":null"""));
        Then("checkAuthenticationCode", Update("authorizationStateWaitPassword", """ "password_hint":"blue","has_recovery_email_address":false,"has_passport_data":false,"recovery_email_address_pattern":"" """));
        var answers = new AuthAnswers
        {
            PhoneNumber = missing == AuthQuestion.Identity ? null : Phone,
            Code = missing == AuthQuestion.Code ? null : Code,
        };

        var e = await Assert.ThrowsAsync<TdlibLoginAnswerMissingException>(() => OpenAsync(new ScriptedAuthPrompt(answers)));

        Assert.Equal(missing, e.Question);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task Without_a_prompt_a_session_not_logged_in_is_a_typed_error_after_the_parameters()
    {
        var e = await Assert.ThrowsAsync<TdlibNotLoggedInException>(() => OpenAsync(NoAuthPrompt.Instance));

        Assert.Equal("authorizationStateWaitPhoneNumber", e.State);
        Assert.Contains("run tgwatch login first", e.Message);
        Assert.Single(_session.SentOf("setTdlibParameters"));
        Assert.Empty(_session.SentOf("setAuthenticationPhoneNumber"));
    }

    [Fact]
    public async Task Updates_other_than_authorization_seen_before_ready_are_given_again_first_in_order()
    {
        _session.OnAsync("setTdlibParameters", (_, _) =>
        {
            _session.Push("""{"@type":"updateOption","name":"version","value":{"@type":"optionValueString","value":"1.8.65"}}""");
            _session.Push(Update("authorizationStateReady"));
            _session.Push("""{"@type":"updateConnectionState","state":{"@type":"connectionStateConnecting"}}""");
            return Task.FromResult(ScriptedTdSession.Parse("""{"@type":"ok"}"""));
        });
        _session.Push("""{"@type":"updateNewChat","chat":{"@type":"chat","id":5}}""");

        var opened = await OpenAsync(NoAuthPrompt.Instance);
        _session.Push("""{"@type":"updateNewMessage"}""");

        Assert.Equal(2, opened.EarlierUpdates);
        var types = new List<string?>();
        while (types.Count < 4 && await opened.Updates.WaitToReadAsync())
            while (opened.Updates.TryRead(out var u)) types.Add(u.GetProperty("@type").GetString());
        Assert.Equal(["updateNewChat", "updateOption", "updateConnectionState", "updateNewMessage"], types);
    }

    [Fact]
    public async Task A_session_closed_before_ready_fails_the_open()
    {
        Then("setTdlibParameters", Update("authorizationStateClosed"));

        var e = await Assert.ThrowsAsync<TdlibLoginException>(() => OpenAsync(NoAuthPrompt.Instance));

        Assert.Contains("closed the session", e.Message);
    }

    [Fact]
    public async Task No_answer_from_Telegram_fails_the_login_within_the_request_timeout()
    {
        _session.OnAsync("setAuthenticationPhoneNumber", (_, ct) => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => default(JsonElement), TaskScheduler.Default));
        var authorization = new TdAuthorization(_session, Parameters, new ScriptedAuthPrompt(new AuthAnswers { PhoneNumber = Phone }), TimeSpan.FromMilliseconds(200));

        var e = await Assert.ThrowsAsync<TdlibLoginException>(() => TdAuthorizedSession.OpenAsync(_session, authorization, TimeSpan.FromSeconds(10)));

        Assert.Equal("no answer from Telegram to setAuthenticationPhoneNumber within 0.2 s: is the network (or the proxy) down?", e.Message);
    }

    [Fact]
    public async Task Connection_states_are_told_as_they_come_while_a_step_waits_for_Telegram_and_still_given_again()
    {
        var told = Channel.CreateUnbounded<TdConnectionState>();
        var answered = new TaskCompletionSource<JsonElement>();
        _session.OnAsync("setAuthenticationPhoneNumber", (_, ct) => answered.Task.WaitAsync(ct));
        var authorization = new TdAuthorization(_session, Parameters, new ScriptedAuthPrompt(new AuthAnswers { PhoneNumber = Phone }), TimeSpan.FromSeconds(10));
        var open = TdAuthorizedSession.OpenAsync(_session, authorization, TimeSpan.FromSeconds(20), s => told.Writer.TryWrite(s));
        await Eventually.TrueAsync(() => _session.SentOf("setAuthenticationPhoneNumber").Count > 0, "the phone number sent");

        // The phone number waits for its answer; TDLib meanwhile says how its connection goes.
        _session.Push("""{"@type":"updateConnectionState","state":{"@type":"connectionStateConnecting"}}""");
        _session.Push("""{"@type":"updateConnectionState","state":{"@type":"connectionStateWaitingForNetwork"}}""");
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal(TdConnectionState.Connecting, await told.Reader.ReadAsync(wait.Token));
        Assert.Equal(TdConnectionState.WaitingForNetwork, await told.Reader.ReadAsync(wait.Token));
        Assert.False(open.IsCompleted);

        _session.Push("""{"@type":"updateConnectionState","state":{"@type":"connectionStateReady"}}""");
        _session.Push(Update("authorizationStateReady"));
        answered.SetResult(ScriptedTdSession.Parse("""{"@type":"ok"}"""));
        var opened = await open.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TdConnectionState.Ready, await told.Reader.ReadAsync(wait.Token));

        Assert.Equal(3, opened.EarlierUpdates);
        var states = new List<string?>();
        while (states.Count < 3 && opened.Updates.TryRead(out var u)) states.Add(u.GetProperty("state").GetProperty("@type").GetString());
        Assert.Equal(["connectionStateConnecting", "connectionStateWaitingForNetwork", "connectionStateReady"], states);
    }

    [Fact]
    public async Task Open_has_its_own_timeout()
    {
        _session.On("setTdlibParameters", _ => """{"@type":"ok"}"""); // and no state follows

        var e = await Assert.ThrowsAsync<TimeoutException>(() =>
            TdAuthorizedSession.OpenAsync(_session, new TdAuthorization(_session, Parameters, NoAuthPrompt.Instance), TimeSpan.FromMilliseconds(300)));

        Assert.Contains("not ready within 0.3 s", e.Message);
        Assert.Contains("authorizationStateWaitTdlibParameters", e.Message);
    }

    [Fact]
    public async Task Secrets_are_registered_and_appear_in_no_message_output_or_description()
    {
        Then("setAuthenticationPhoneNumber", Update("authorizationStateWaitCode", """ "code_info":null"""));
        Then("checkAuthenticationCode", Update("authorizationStateWaitPassword", """ "password_hint":"","has_recovery_email_address":false,"has_passport_data":false,"recovery_email_address_pattern":"" """));
        _session.Fail("checkAuthenticationPassword", 400, "PASSWORD_HASH_INVALID");
        var output = new StringWriter();
        var answers = new AuthAnswers { PhoneNumber = Phone, Code = Code, Password = Password };

        var e = await Assert.ThrowsAsync<TdlibLoginException>(() => OpenAsync(new ScriptedAuthPrompt(answers, output)));

        var seen = string.Join('\n', e.ToString(), output.ToString(), answers.ToString(), AuthIdentity.Phone(Phone).ToString(), Parameters.ToString());
        foreach (var secret in new[] { Phone, "15550104477", Code, Password, Parameters.ApiHash })
        {
            Assert.DoesNotContain(secret, seen);
            Assert.Equal("x <redacted> y", SecretRedactor.Default.Redact($"x {secret} y"));
        }
    }

    private Task<TdAuthorizedSession> OpenAsync(IAuthPrompt prompt) =>
        TdAuthorizedSession.OpenAsync(_session, new TdAuthorization(_session, Parameters, prompt, TimeSpan.FromSeconds(5)), TimeSpan.FromSeconds(10));

    /// <summary>Answers <paramref name="request"/> with ok, after queueing <paramref name="next"/> as TDLib does.</summary>
    private void Then(string request, string next) =>
        _session.OnAsync(request, (_, _) =>
        {
            _session.Push(next);
            return Task.FromResult(ScriptedTdSession.Parse("""{"@type":"ok"}"""));
        });

    private static string Update(string state, string fields = "") =>
        "{\"@type\":\"updateAuthorizationState\",\"authorization_state\":{\"@type\":\"" + state + "\"" + (fields.Trim().Length > 0 ? "," + fields.Trim() : "") + "}}";

    /// <summary>A person at a terminal: answers from queues, may be asked again; records what it was shown.</summary>
    private sealed class PersonPrompt : IAuthPrompt
    {
        public List<AuthIdentity> Identities { get; } = [];
        public List<string> Codes { get; } = [];
        public List<string> Passwords { get; } = [];
        public List<string> Hints { get; } = [];
        public List<AuthCodeInfo> CodeInfos { get; } = [];
        public List<string?> Problems { get; } = [];

        public bool CanAskAgain => true;

        public ValueTask<AuthIdentity> AskIdentityAsync(string? problem, CancellationToken ct) => Take(Identities, problem);

        public ValueTask<string> AskCodeAsync(AuthCodeInfo info, string? problem, CancellationToken ct)
        {
            CodeInfos.Add(info);
            return Take(Codes, problem);
        }

        public ValueTask<string> AskPasswordAsync(string hint, string? problem, CancellationToken ct)
        {
            Hints.Add(hint);
            return Take(Passwords, problem);
        }

        public ValueTask ShowQrLinkAsync(string link, CancellationToken ct) => ValueTask.CompletedTask;

        private ValueTask<T> Take<T>(List<T> answers, string? problem)
        {
            Problems.Add(problem);
            var answer = answers[0];
            answers.RemoveAt(0);
            return ValueTask.FromResult(answer);
        }
    }
}
