using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Tgwatch.Cli.Tests;

/// <summary><c>tgwatch sandbox</c> as a user runs it: a real process serving the Bot API on loopback until SIGTERM.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class SandboxCommandTests
{
    [Fact]
    public async Task Sandbox_PrintsItsUrlAndToken_AnswersGetMe_AndStopsOnSigterm()
    {
        const string token = "123456789:AAsandbox-command-test_token-abcdefgh";
        using var process = Tgwatch.Start("sandbox", "--port", "0", "--token", token);
        process.StandardInput.Close();
        try
        {
            var first = await process.StandardOutput.ReadLineAsync().WaitAsync(Tgwatch.Patience);
            var hint = await process.StandardOutput.ReadLineAsync().WaitAsync(Tgwatch.Patience);
            Assert.NotNull(first);
            var match = ServingLine().Match(first);
            Assert.True(match.Success, first);
            var url = match.Groups["url"].Value;
            Assert.Equal(token, match.Groups["token"].Value);
            Assert.StartsWith("[tgwatch] inject a message: curl ", hint, StringComparison.Ordinal);
            Assert.Contains(url + "sandbox/messages", hint, StringComparison.Ordinal);

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var me = await http.GetFromJsonAsync<JsonElement>($"{url}bot{token}/getMe");
            Assert.True(me.GetProperty("ok").GetBoolean());
            Assert.Equal(123456789, me.GetProperty("result").GetProperty("id").GetInt64());

            // The hint's request works as printed (curl's JSON body), and the message comes out of getUpdates.
            using var injected = await http.PostAsync($"{url}sandbox/messages",
                new StringContent("""{"chat_id":-1001000000001,"text":"hello"}""", System.Text.Encoding.UTF8, "application/json"));
            Assert.True(injected.IsSuccessStatusCode);
            var updates = await http.GetFromJsonAsync<JsonElement>($"{url}bot{token}/getUpdates");
            Assert.Equal("hello", updates.GetProperty("result")[0].GetProperty("message").GetProperty("text").GetString());
        }
        finally
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        }
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        Assert.Equal(0, process.ExitCode);
        Assert.Equal("[tgwatch] sandbox stopped: 3 requests served (2 Bot API, 1 admin), 0 faults injected\n", await stderr);
    }

    [Fact]
    public async Task Sandbox_WithoutAToken_GeneratesOne()
    {
        using var process = Tgwatch.Start("sandbox");
        process.StandardInput.Close();
        try
        {
            var first = await process.StandardOutput.ReadLineAsync().WaitAsync(Tgwatch.Patience);
            var match = ServingLine().Match(first ?? "");
            Assert.True(match.Success, first);
            Assert.Matches(@"^\d{10}:AA[A-Za-z0-9_-]{33}$", match.Groups["token"].Value);
        }
        finally
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        }
        await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        Assert.Equal(0, process.ExitCode);
    }

    [Theory]
    [InlineData("--port", "70000", "tgwatch sandbox: --port must be a number between 0 and 65535, not '70000' (see 'tgwatch sandbox --help')")]
    [InlineData("--port", "eighty", "tgwatch sandbox: --port must be a number between 0 and 65535, not 'eighty' (see 'tgwatch sandbox --help')")]
    [InlineData("--port", "-1", null)]
    [InlineData("--token", "not-a-token", "tgwatch sandbox: --token must look like a bot token: digits, ':', then letters, digits, '_' or '-' (see 'tgwatch sandbox --help')")]
    public async Task Sandbox_WithABadPortOrToken_SaysSoInOneLine_AndExits2(string option, string value, string? line)
    {
        var run = await Tgwatch.RunAsync(null, "sandbox", option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Output);
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        Assert.Single(lines);
        if (line is not null) Assert.Equal(line, lines[0]);
        else Assert.StartsWith("tgwatch sandbox: ", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sandbox_OnAPortInUse_SaysSoInOneLine_AndExits2()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);
        var run = await Tgwatch.RunAsync(null, "sandbox", "--port", port);
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"tgwatch sandbox: cannot listen on 127.0.0.1:{port}: ", line, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^\[tgwatch\] sandbox: Bot API at (?<url>http://127\.0\.0\.1:\d+/) with token (?<token>\S+) ")]
    private static partial Regex ServingLine();
}
