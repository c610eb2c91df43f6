using System.Diagnostics;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// <c>tgwatch login</c>, <c>chats</c> and <c>run --connector tdlib</c> as real processes with the real libtdjson,
/// offline (the tests run in a network namespace with loopback only): TDLib gets as far as it can without Telegram.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LoginCommandTests
{
    private const string Phone = "+15550104477";
    private const string Password = "correct horse battery";
    private const string ApiHash = "a3406de8d171bb422bb6ddf3bbd800e2"; // TDLib's public example credentials (api_id 94575)
    private const UnixFileMode Rw = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Rwx = Rw | UnixFileMode.UserExecute;
    private readonly string _dir = Path.Combine(Some.TempDirectory("tgwatch-login"), "data"); // created by tgwatch

    [Fact]
    public async Task Login_reaches_the_phone_step_and_without_Telegram_fails_in_one_line_within_its_timeout_leaving_private_files()
    {
        var clock = Stopwatch.StartNew();
        var run = await RunAsync(Credentials(timeoutSeconds: 2), "login", "--phone", Phone, "--password", Password, "--data-dir", _dir);

        Assert.Equal(3, run.ExitCode);
        // The link's state may come first (it is told from 2 s on, as the time-out comes).
        var lines = run.Stderr.TrimEnd('\n').Split('\n');
        Assert.Equal("tgwatch login: no answer from Telegram to setAuthenticationPhoneNumber within 2 s: is the network (or the proxy) down?", lines[^1]);
        Assert.All(lines[..^1], l => Assert.Contains(" Tgwatch.Login: connecting to Telegram… ", l));
        Assert.Equal("", run.Output);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(20));
        var database = Path.Combine(_dir, "tdlib", "default");
        Assert.True(File.Exists(Path.Combine(database, "td.binlog")), "TDLib created its database");
        Assert.Equal(Rwx, File.GetUnixFileMode(_dir));
        Assert.Equal(Rwx, File.GetUnixFileMode(Path.Combine(_dir, "tdlib")));
        foreach (var entry in new DirectoryInfo(database).EnumerateFileSystemInfos("*", SearchOption.AllDirectories).Prepend(new DirectoryInfo(database)))
            Assert.True(entry.UnixFileMode == (entry is DirectoryInfo ? Rwx : Rw), $"{entry.FullName} is {entry.UnixFileMode}");
        foreach (var secret in new[] { Phone, Phone[1..], Password, ApiHash })
            Assert.DoesNotContain(secret, run.Stderr + run.Output);
    }

    [Fact]
    public async Task Login_without_a_network_says_within_5_s_that_it_is_still_connecting_one_line_per_change_then_fails_as_before()
    {
        // TDLib is a real library here and the wait is real: bounded by the 8 s request time-out given, and by 60 s in all.
        var clock = Stopwatch.StartNew();
        using var process = Tgwatch.StartWith(Credentials(timeoutSeconds: 8), "login", "--phone", Phone, "--data-dir", _dir);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var lines = new List<(TimeSpan At, string Text)>();
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await process.StandardError.ReadLineAsync(limit.Token) is { } line) lines.Add((clock.Elapsed, line));
            await process.WaitForExitAsync(limit.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }

        Assert.Equal(3, process.ExitCode);
        Assert.Equal("", await stdout);
        Assert.True(lines.Count >= 2, string.Join('\n', lines.Select(l => l.Text)));
        var (at, first) = lines[0];
        Assert.EndsWith(" warn Tgwatch.Login: connecting to Telegram… (no network?)", first);
        // Within 5 s of the wait: at least 3 s before the 8 s request time-out ends it (measured between the two lines, so a
        // slow start of the process on a loaded machine does not count).
        Assert.True(lines[^1].At - at >= TimeSpan.FromSeconds(3), $"the first line came {lines[^1].At - at} before the failure line");
        Assert.Equal("tgwatch login: no answer from Telegram to setAuthenticationPhoneNumber within 8 s: is the network (or the proxy) down?", lines[^1].Text);
        // Between them only the link's state, a line when it changes, never the same line twice in a row.
        var link = lines.Take(lines.Count - 1).Select(l => l.Text[(l.Text.IndexOf(" Tgwatch.Login: ", StringComparison.Ordinal) + 1)..]).ToList();
        Assert.All(link, l => Assert.StartsWith("Tgwatch.Login: ", l));
        Assert.All(link.Zip(link.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
        foreach (var secret in new[] { Phone, Phone[1..], ApiHash })
            Assert.DoesNotContain(secret, string.Join('\n', lines.Select(l => l.Text)));
    }

    [Theory]
    [InlineData("chats")]
    [InlineData("chats", "--search", "@news")]
    [InlineData("run", "--connector", "tdlib")]
    public async Task Without_a_login_chats_and_run_exit_3_saying_to_log_in_first(params string[] args)
    {
        var run = await RunAsync(Credentials(), [.. args, "--data-dir", _dir]);

        Assert.Equal(3, run.ExitCode);
        Assert.Equal($"tgwatch {args[0]}: not logged in to Telegram: run tgwatch login first\n", run.Stderr);
        Assert.Equal("", run.Output);
    }

    [Theory]
    [InlineData("libtdjson not found at /nonexistent", "login", "--tdjson", "/nonexistent", "--phone", Phone)]
    [InlineData("libtdjson not found at /nonexistent", "chats", "--tdjson", "/nonexistent")]
    [InlineData("no TDLib api id: give --api-id, set TGWATCH__TDLIB__APIID, or Tdlib.ApiId in tgwatch.json", "login", "--api-hash", ApiHash)]
    [InlineData("no TDLib api hash: give --api-hash, set TGWATCH__TDLIB__APIHASH", "chats", "--api-id", "94575")]
    [InlineData("no TDLib api id", "run", "--connector", "tdlib")]
    [InlineData("Chats: chat 'news': expected a chat id (e.g. -1001234567890) or a public @username", "run", "--connector", "tdlib", "--api-id", "94575", "--api-hash", ApiHash, "--chat", "news")]
    [InlineData("Tdlib:ApiHash: expected 32 hexadecimal characters", "chats", "--api-id", "94575", "--api-hash", "nope")]
    [InlineData("Tdlib:ApiId", "chats", "--api-id", "many", "--api-hash", ApiHash)]
    [InlineData("Tdlib:LogVerbosity: between 0 and 5", "chats", "--api-id", "94575", "--api-hash", ApiHash, "--tdlib-log-verbosity", "9")]
    public async Task Configuration_mistakes_are_one_line_and_exit_2(string expected, params string[] args)
    {
        var env = args.Contains("--tdjson") ? Credentials() : new Dictionary<string, string>();
        var run = await RunAsync(env, [.. args, "--data-dir", _dir]);

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"tgwatch {args[0]}: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain(ApiHash, run.Stderr);
        Assert.DoesNotContain(Phone, run.Stderr);
    }

    [Theory]
    [InlineData("login", "--phone", Phone)]
    [InlineData("chats")]
    [InlineData("run", "--connector", "tdlib")]
    [InlineData("status")]
    public async Task A_data_directory_that_cannot_be_created_is_one_line_and_exit_2(params string[] args)
    {
        var file = Path.Combine(Some.TempDirectory("tgwatch-login"), "a-file");
        await File.WriteAllTextAsync(file, "not a directory");

        var run = await RunAsync(Credentials(), [.. args, "--data-dir", Path.Combine(file, "data")]);

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"tgwatch {args[0]}: ", line);
        Assert.Contains(file, line);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public async Task A_second_process_on_the_same_session_is_one_line_and_exit_2()
    {
        using var first = Tgwatch.StartWith(Credentials(timeoutSeconds: 30), "login", "--phone", Phone, "--data-dir", _dir);
        try
        {
            var binlog = Path.Combine(_dir, "tdlib", "default", "td.binlog");
            await Eventually.TrueAsync(() => File.Exists(binlog) || first.HasExited, "the first process's TDLib database", Tgwatch.Patience);
            Assert.True(File.Exists(binlog), "the first process opened its TDLib database");

            var second = await RunAsync(Credentials(), "chats", "--data-dir", _dir);

            Assert.Equal(2, second.ExitCode);
            var line = Assert.Single(second.Stderr.TrimEnd('\n').Split('\n'));
            Assert.StartsWith("tgwatch chats: the TDLib database ", line);
            Assert.Contains("is in use by another Tgwatch process", line);
        }
        finally
        {
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
    }

    private static Dictionary<string, string> Credentials(int timeoutSeconds = 10) => new()
    {
        ["TGWATCH__TDLIB__APIID"] = "94575",
        ["TGWATCH__TDLIB__APIHASH"] = ApiHash,
        ["TGWATCH__TDLIB__TIMEOUTSECONDS"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static async Task<ProcessResult> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        using var process = Tgwatch.StartWith(environment, args);
        return await ProcessRun.WaitAsync(process, null, TimeSpan.FromSeconds(60));
    }
}
