using System.Diagnostics;
using Tgwatch.Tdlib.Functions;
using Tgwatch.TestKit;

namespace Tgwatch.Tdlib.Tests;

public sealed class ClientTests
{
    private readonly TdClientHost _host = TestHost.Host;

    [Fact]
    public async Task Auth_state_machine_runs_offline_to_wait_phone_number_and_closes()
    {
        var dir = TestHost.TempDir();
        await using var client = _host.CreateClient();
        var options = await client.SendAsync(new GetOption("version"), TimeSpan.FromSeconds(10));
        Assert.Equal("1.8.65", options.GetProperty("value").GetString());

        var beforeParameters = await TestHost.WaitForStateAsync(client, "authorizationStateWaitTdlibParameters");
        Assert.Equal(["authorizationStateWaitTdlibParameters"], beforeParameters);

        await client.SetParametersAsync(TestHost.Parameters(dir), TimeSpan.FromSeconds(30));
        await TestHost.WaitForStateAsync(client, "authorizationStateWaitPhoneNumber");
        Assert.True(File.Exists(Path.Combine(dir, "td.binlog")));

        var close = client.CloseAsync(TimeSpan.FromSeconds(30));
        var closing = await TestHost.WaitForStateAsync(client, "authorizationStateClosed");
        Assert.Equal(["authorizationStateClosing", "authorizationStateClosed"], closing);
        await close;
        Assert.True(client.Closed.IsCompletedSuccessfully);
        Assert.False(await client.Updates.WaitToReadAsync()); // completed after Closed
        await Assert.ThrowsAsync<TdlibClientClosedException>(() => client.SendAsync(new GetMe()));
    }

    [Fact]
    public async Task Request_tdlib_never_answers_offline_times_out_by_our_timeout()
    {
        await using var client = await ClientWaitingForPhoneAsync();
        var clock = Stopwatch.StartNew();
        var e = await Assert.ThrowsAsync<TimeoutException>(() => client.SendAsync(
            new SetAuthenticationPhoneNumber("+15550100000"), TimeSpan.FromSeconds(1.5)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(5));
        Assert.Contains("setAuthenticationPhoneNumber", e.Message);
        Assert.DoesNotContain("5550100000", e.Message);

        // the client still works after a timeout
        var answer = await client.SendAsync(new GetOption("version"), TimeSpan.FromSeconds(10));
        Assert.Equal("optionValueString", answer.GetProperty("@type").GetString());
    }

    [Fact]
    public async Task Request_is_cancelled_by_its_token()
    {
        await using var client = await ClientWaitingForPhoneAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(
            new SetAuthenticationPhoneNumber("+15550100000"), TimeSpan.FromSeconds(30), cts.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Error_answer_is_a_typed_exception_with_code_and_message()
    {
        await using var client = _host.CreateClient();
        var e = await Assert.ThrowsAsync<TdlibErrorException>(() => client.SendAsync(
            new GetChat(1), TimeSpan.FromSeconds(10)));
        Assert.True(e.Code is >= 400 and < 600, $"code {e.Code}");
        Assert.Equal("getChat", e.RequestType);
        Assert.False(string.IsNullOrEmpty(e.TdMessage));
    }

    // What the alerts send is read by TDLib as the requests they are: before login it refuses them as unauthorized, never as
    // JSON it could not parse (which it would say of a wrong field or @type).
    [Fact]
    public async Task The_alert_requests_are_read_by_TDLib_as_requests()
    {
        await using var client = await ClientWaitingForPhoneAsync();
        TdFunction[] requests =
        [
            new SendMessage(-1001234567890, new InputMessageText(new FormattedText("alert <b>text</b>"))),
            new ForwardMessages(-1001234567890, -1009876543210, [42L << 20], SendCopy: false, RemoveCaption: false),
            new DeleteMessages(-1001234567890, [(42L << 20) + 1], Revoke: true),
        ];
        foreach (var request in requests)
        {
            var e = await Assert.ThrowsAsync<TdlibErrorException>(() => client.SendAsync(request, TimeSpan.FromSeconds(10)));
            Assert.DoesNotContain("parse", e.TdMessage, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(401, e.Code);
        }
    }

    [Fact]
    public async Task Second_client_on_the_same_database_in_process_gets_a_clear_error()
    {
        var dir = TestHost.TempDir();
        await using var first = await ClientWaitingForPhoneAsync(dir);
        await using var second = _host.CreateClient();
        var e = await Assert.ThrowsAsync<TdlibDatabaseInUseException>(() => second.SetParametersAsync(TestHost.Parameters(dir), TimeSpan.FromSeconds(30)));
        Assert.Contains(dir, e.Message);
        Assert.Contains("in use", e.Message);
    }

    [Fact]
    public async Task Tdlib_itself_refuses_a_second_client_on_a_locked_database()
    {
        // Our lock comes first; this shows TDLib's own refusal below it, when our lock is bypassed.
        var dir = TestHost.TempDir();
        await using var first = await ClientWaitingForPhoneAsync(dir);
        await using var second = _host.CreateClient();
        var e = await Assert.ThrowsAsync<TdlibErrorException>(() => second.SendAsync(TestHost.Parameters(dir).ToRequest(), TimeSpan.FromSeconds(30)));
        Assert.Equal(400, e.Code);
        Assert.Contains("lock", e.TdMessage, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Second_process_on_the_same_database_gets_a_clear_error()
    {
        var dir = TestHost.TempDir();
        using var child = ProcessRun.Start("dotnet", [TestHost.ChildDll, "hold", dir]);
        try
        {
            var ready = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal("ready", ready);
            await using var client = _host.CreateClient();
            var e = await Assert.ThrowsAsync<TdlibDatabaseInUseException>(() => client.SetParametersAsync(TestHost.Parameters(dir), TimeSpan.FromSeconds(30)));
            Assert.Equal(dir, e.Directory);
        }
        finally
        {
            child.StandardInput.Close();
            if (!child.WaitForExit(TimeSpan.FromSeconds(20))) child.Kill(entireProcessTree: true);
        }
        Assert.Equal(0, child.ExitCode);
        Assert.Equal("", await child.StandardError.ReadToEndAsync());
    }

    private async Task<TdClient> ClientWaitingForPhoneAsync(string? dir = null)
    {
        var client = _host.CreateClient();
        await client.SetParametersAsync(TestHost.Parameters(dir ?? TestHost.TempDir()), TimeSpan.FromSeconds(30));
        await TestHost.WaitForStateAsync(client, "authorizationStateWaitPhoneNumber");
        return client;
    }
}
