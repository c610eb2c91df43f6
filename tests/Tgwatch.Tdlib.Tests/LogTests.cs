using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Native;
using Tgwatch.TestKit;

namespace Tgwatch.Tdlib.Tests;

public sealed class LogTests
{
    private readonly TdClientHost _host = TestHost.Host;

    [Fact]
    public async Task Tdlib_log_lines_reach_the_callback_and_the_native_logger()
    {
        var lines = new ConcurrentQueue<TdlibLogLine>();
        void Collect(TdlibLogLine line) => lines.Enqueue(line);
        _host.LogLine += Collect;
        try
        {
            _host.SetLogVerbosity(4);
            await using var client = _host.CreateClient();
            await client.SetParametersAsync(TestHost.Parameters(TestHost.TempDir()), TimeSpan.FromSeconds(30));
            await TestHost.WaitForStateAsync(client, "authorizationStateWaitPhoneNumber");
            await client.CloseAsync(TimeSpan.FromSeconds(30));
            await Eventually.TrueAsync(() => !lines.IsEmpty, "a TDLib log line", TimeSpan.FromSeconds(10));
        }
        finally
        {
            _host.SetLogVerbosity(2);
            _host.LogLine -= Collect;
        }
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.InRange(l.Level, 1, 5));
        Assert.All(lines, l => Assert.False(l.Line.EndsWith('\n')));
        Assert.Contains(lines, l => l.Line.StartsWith("[", StringComparison.Ordinal) && l.Line.Contains("]["));
        Assert.Contains(TestHost.Logs.Entries, e => e.Category == TdClientHost.NativeLogCategory);
        Assert.Equal(0, TdlibNativeLog.Dropped);
        Assert.DoesNotContain(lines, l => l.Line.Contains(TestHost.Parameters("x").ApiHash, StringComparison.Ordinal));
    }

    // TDLib dumps requests and answers under its td_requests tag at high verbosity (getMe's answer holds the account's phone
    // number): that tag is muted by default, so not even --tdlib-log-verbosity 5 writes a request's contents.
    [Fact]
    public async Task Requests_and_answers_are_not_dumped_even_at_the_highest_verbosity()
    {
        const string Marker = "tgwatchmarker7731";
        var lines = new ConcurrentQueue<TdlibLogLine>();
        void Collect(TdlibLogLine line) => lines.Enqueue(line);
        _host.LogLine += Collect;
        try
        {
            _host.SetLogVerbosity(5);
            await using var client = _host.CreateClient();
            await client.SetParametersAsync(TestHost.Parameters(TestHost.TempDir()), TimeSpan.FromSeconds(30));
            await TestHost.WaitForStateAsync(client, "authorizationStateWaitPhoneNumber");
            var answer = await client.SendAsync(new ParseTextEntities($"*{Marker}*", new TextParseModeMarkdown(2)), TimeSpan.FromSeconds(30));
            Assert.Contains(Marker, answer.GetRawText(), StringComparison.Ordinal);
            await client.CloseAsync(TimeSpan.FromSeconds(30));
            // TDLib logs from threads of its own: its last lines (a marker among them would be) come a moment after the close.
            await Task.Delay(300);
        }
        finally
        {
            _host.SetLogVerbosity(2);
            _host.LogLine -= Collect;
        }
        Assert.NotEmpty(lines);
        Assert.DoesNotContain(lines, l => l.Line.Contains(Marker, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, LogLevel.Critical)]
    [InlineData(1, LogLevel.Error)]
    [InlineData(2, LogLevel.Warning)]
    [InlineData(3, LogLevel.Information)]
    [InlineData(4, LogLevel.Debug)]
    [InlineData(5, LogLevel.Trace)]
    [InlineData(1023, LogLevel.Trace)]
    public void Tdlib_levels_map_to_logger_levels(int tdlibLevel, LogLevel expected) =>
        Assert.Equal(expected, TdClientHost.ToLogLevel(tdlibLevel));

    [Fact]
    public async Task A_verbose_tdlib_process_writes_nothing_to_stderr()
    {
        var dir = TestHost.TempDir();
        using var child = ProcessRun.Start("dotnet", [TestHost.ChildDll, "auth", dir], redirectStdin: false);
        var result = await ProcessRun.WaitAsync(child, null, TimeSpan.FromSeconds(90));
        Assert.Equal("", result.Stderr);
        Assert.Equal(0, result.ExitCode);
        var line = Assert.Single(result.Lines);
        var words = line.Split(' ');
        Assert.Equal(["lines", "leaks"], [words[0], words[2]]);
        Assert.True(int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture) > 10, line);
        Assert.Equal("0", words[3]); // the api_hash is masked even at verbosity 5
    }
}
