using System.Net;
using System.Net.Sockets;
using System.Text;
using Tgwatch.TestKit;

namespace Tgwatch.Noise.Tests;

/// <summary>
/// Every rule of the built-in packs, checked against real output of its library: the captured samples
/// (see Samples/README.md), output produced here and now (Python, .NET), or, for libraries that cannot
/// run here, lines built from their source's format strings (Samples/FORMATS.md).
/// </summary>
public sealed class RulePackTests
{
    /// <summary>Rules proven by the live cases and format-string cases below, beside the samples.</summary>
    private static readonly string[] ProvenElsewhere =
    [
        "cpython.timeout", "cpython.oserror-network", "dotnet.http-timeout", "dotnet.response-ended", "dotnet.socket-timeout",
        "telethon.connect-timeout", "tdlib.connect-timeout", "wtelegramclient.connect-timeout", "wtelegramclient.reactor-shutdown",
        "pyrogram.auth-retrying", "pyrogram.connection-lost-traceback", "pyrogram.unable-to-connect-timeout",
    ];

    [Theory]
    [InlineData("asyncio.cpython-3.11.7.lastresort.stderr.txt", "cpython.socket-send", 20)]
    [InlineData("asyncio.cpython-3.11.7.basicconfig.stderr.txt", "cpython.socket-send", 20)]
    [InlineData("asyncio.cpython-3.11.7.debug.stderr.txt", "cpython.connection-error", 2)]
    [InlineData("asyncio.cpython-3.11.2-debian.debug.stderr.txt", "cpython.connection-error", 2)]
    [InlineData("asyncio.cpython-3.11.7.basicconfig.stderr.txt", "cpython.disk-errors-stay-loud", 1)]
    [InlineData("dotnet-10.0.12.console-logger.stdout.txt", "dotnet.socket", 3)]
    [InlineData("dotnet-10.0.12.http-reset.tostring.txt", "dotnet.socket", 1)]
    [InlineData("dotnet-10.0.12.unhandled-http-refused.stderr.txt", "dotnet.socket", 1)]
    [InlineData("telegram.bot-22.10.3.3.console-logger.stdout.txt", "dotnet.socket", 2)]
    [InlineData("telegram.bot-22.10.3.3.getme-reset.tostring.txt", "dotnet.socket", 1)]
    [InlineData("telethon-1.25.1.basicconfig-info.stderr.txt", "telethon.connect-failed", 6)]
    [InlineData("telethon-1.25.1.docs-format-warning.stderr.txt", "telethon.connect-failed", 6)]
    [InlineData("telethon-1.25.1.docs-format-warning.stderr.txt", "telethon.auth-key-gen", 4)]
    [InlineData("telethon-1.25.1.basicconfig-info.stderr.txt", "telethon.disconnect-error", 33)]
    [InlineData("telethon-1.25.1.basicconfig-info.stderr.txt", "telethon.reconnect-failed", 1)]
    [InlineData("telethon-1.25.1.basicconfig-info.stderr.txt", "telethon.connection-cycle", 132)]
    [InlineData("tdlib-1.8.65.offline.v2.stderr.txt", "tdlib.connect-failed", 7)]
    [InlineData("tdlib-1.8.65.offline.v2.tty.txt", "tdlib.connect-failed", 6)]
    [InlineData("tdlib-1.8.65.socks5-refused.v2-connections2.stderr.txt", "tdlib.failed-connection", 5)]
    [InlineData("tdlib-1.8.65.socks5-refused.v2-connections2.stderr.txt", "tdlib.connection-activity", 48)]
    [InlineData("tdlib-1.8.65.offline.v3.stderr.txt", "tdlib.config-recoverer", 4)]
    [InlineData("tdlib-1.8.65.socks5-refuse.callback.txt", "tdlib.failed-connection", 4)]
    [InlineData("tdlib-1.8.65.socks5-refuse.callback.txt", "tdlib.connection-activity", 42)]
    [InlineData("tdlib-1.8.65.socks5-reset.callback.txt", "tdlib.failed-connection", 4)]
    [InlineData("tdlib-1.8.65.socks5-stall.callback.txt", "tdlib.failed-connection-timeout", 1)]
    [InlineData("tdlib-1.8.65.socks5-stall.callback.txt", "tdlib.failed-connection", 0)]
    [InlineData("tdlib-1.8.65.socks5-handshake-then-reset.callback.txt", "tdlib.handshake-failed", 1)]
    [InlineData("tdlib-1.8.65.socks5-handshake-then-reset.callback.txt", "tdlib.failed-connection-check", 3)]
    [InlineData("tdlib-1.8.65.socks5-handshake-then-reset.callback.txt", "tdlib.connection-activity", 53)]
    [InlineData("pyrogram-2.0.106.basicconfig-info.from-source.txt", "pyrogram.retrying", 1)]
    [InlineData("pyrogram-2.0.106.basicconfig-info.from-source.txt", "pyrogram.retrying-timeout", 9)]
    [InlineData("pyrogram-2.0.106.basicconfig-info.from-source.txt", "pyrogram.tcp-exception", 8)]
    [InlineData("pyrogram-2.0.106.basicconfig-info.from-source.txt", "pyrogram.connection-cycle", 30)]
    [InlineData("pyrogram-2.0.106.lastresort.from-source.txt", "pyrogram.unable-to-connect", 6)]
    [InlineData("pyrogram-2.0.106.lastresort.from-source.txt", "pyrogram.connection-failed", 2)]
    [InlineData("wtelegramclient.default-logger.from-source.txt", "wtelegramclient.connect-failed", 2)]
    [InlineData("wtelegramclient.default-logger.tty.from-source.txt", "wtelegramclient.connection-cycle", 5)]
    [InlineData("wtelegramclient.examples-file-logger.from-source.txt", "wtelegramclient.connection-cycle", 5)]
    public void RealSample_IsClassifiedByItsRule(string sample, string ruleId, int records)
    {
        var found = SampleClassification.ClassifySample(sample).Count(r => r.RuleId == ruleId);
        Assert.Equal(records, found);
    }

    [Theory]
    [InlineData("asyncio.cpython-3.11.7.lastresort.stderr.txt", "ZeroDivisionError: division by zero")]
    [InlineData("asyncio.cpython-3.11.7.basicconfig.stderr.txt", "OSError: [Errno 28] No space left on device")]
    [InlineData("telethon-1.25.1.basicconfig-info.stderr.txt", "ERROR:telethon.network.mtprotosender:Automatic reconnection failed 1 time(s)")]
    [InlineData("telethon-1.25.1.basicconfig-info.stderr.txt", "sample-app: finished with exit code")]
    [InlineData("tdlib-1.8.65.offline.v2.stderr.txt", "Close Td in state")]
    [InlineData("tdlib-1.8.65.socks5-refuse.callback.txt", "Set PRAGMA user_version")]
    [InlineData("tdlib-1.8.65.socks5-reset.callback.txt", "Generate new session_id")]
    [InlineData("tdlib-1.8.65.socks5-stall.callback.txt", "[AuthDataShared.cpp:")]
    [InlineData("wtelegramclient.default-logger.from-source.txt", "WTelegramClient 4.4.7 running under")]
    public void GenuineRecordsOfTheSamples_AreNotNoise(string sample, string text)
    {
        var records = SampleClassification.ClassifySample(sample).Where(r => r.Text.Contains(text, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(records);
        Assert.All(records, r => Assert.True(r.RuleId is null or "cpython.disk-errors-stay-loud", $"{r.RuleId} took: {r.Text}"));
    }

    [Theory]
    [InlineData("tdlib-1.8.65.socks5-refuse.callback.txt")]
    [InlineData("tdlib-1.8.65.socks5-reset.callback.txt")]
    [InlineData("tdlib-1.8.65.socks5-stall.callback.txt")]
    [InlineData("tdlib-1.8.65.socks5-handshake-then-reset.callback.txt")]
    public void TdlibBehindAFailingSocks5Proxy_LogsOnlyNoise_ButItsThreeStartUpRecords(string sample)
    {
        var records = SampleClassification.ClassifySample(sample);
        var genuine = records.Where(r => r.RuleId is null).Select(r => r.Text).ToList();
        Assert.Equal(3, genuine.Count);
        Assert.All(genuine, t => Assert.Matches(@"\[(TdDb|AuthDataShared|Session)\.cpp:\d+\]\[#1\]\[!(RunOnSchedulerWorker|Td|SessionProxy:1:main)\]\t", t));
    }

    [Fact]
    public void EveryBuiltInRule_HasARealExample()
    {
        var fromSamples = Directory.GetFiles(SampleClassification.SamplePath(""), "*.txt")
            .SelectMany(f => SampleClassification.ClassifySample(Path.GetFileName(f)))
            .Select(r => r.RuleId).OfType<string>();
        var proven = fromSamples.Concat(ProvenElsewhere).ToHashSet();
        var missing = SampleClassification.Rules.Rules.Select(r => r.Id).Where(id => !proven.Contains(id)).ToList();
        Assert.Empty(missing);
    }

    [Fact]
    public async Task CPython_TimeoutTraceback_IsTimeout()
    {
        var run = await ProcessRun.RunAsync("python3", ["-c", "import asyncio\nasyncio.run(asyncio.wait_for(asyncio.sleep(5), 0.01))\n"]);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("cpython.timeout", Single(run.Stderr));
    }

    [Fact]
    public async Task CPython_OSErrorWithNetworkErrno_IsNetwork()
    {
        // CPython's own formatting of the OSError a failed connect raises when no route exists.
        var run = await ProcessRun.RunAsync("python3", ["-c", "import errno, os\nraise OSError(errno.ENETUNREACH, os.strerror(errno.ENETUNREACH))\n"]);
        Assert.Contains("OSError: [Errno 101] Network is unreachable", run.Stderr);
        Assert.Equal("cpython.oserror-network", Single(run.Stderr));
    }

    [Fact]
    public async Task CPython_RefusedConnection_IsNetwork()
    {
        var port = LoopbackServer.ClosedPort();
        var run = await ProcessRun.RunAsync("python3", ["-c", $"import socket\nsocket.create_connection(('127.0.0.1', {port}))\n"]);
        Assert.Contains("ConnectionRefusedError: [Errno 111] Connection refused", run.Stderr);
        Assert.Equal("cpython.connection-error", Single(run.Stderr));
    }

    [Fact]
    public async Task DotNet_HttpClientTimeout_IsTimeout()
    {
        await using var silent = LoopbackServer.Silent();
        using var http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(200) };
        var e = await Assert.ThrowsAsync<TaskCanceledException>(() => http.GetStringAsync(silent.Url));
        Assert.Equal("dotnet.http-timeout", Single(e.ToString()));
    }

    [Fact]
    public async Task DotNet_ResponseEndedEarly_IsNetwork()
    {
        await using var server = LoopbackServer.Answering("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
        using var http = new HttpClient();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => http.GetStringAsync(server.Url));
        Assert.Equal("dotnet.response-ended", Single(e.ToString()));
    }

    [Fact]
    public void DotNet_SocketReceiveTimeout_IsTimeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 100 };
        socket.Connect((IPEndPoint)silent.LocalEndpoint);
        var e = Assert.Throws<SocketException>(() => socket.Receive(new byte[16]));
        var wrapped = new IOException("Unable to read data from the transport connection: " + e.Message, e);
        Assert.Equal("dotnet.socket-timeout", Single(wrapped.ToString()));
    }

    [Theory]
    // Telethon mtprotosender.py:282: 'Attempt %d at connecting failed: %s: %s', attempt, type(e).__name__, e (a TimeoutError has no message)
    [InlineData("WARNING:telethon.network.mtprotosender:Attempt 2 at connecting failed: TimeoutError: ", "telethon.connect-timeout")]
    // TDLib ConnectionCreator.cpp:868 with Status.h's PosixError text for ETIMEDOUT
    [InlineData("[ 2][t 4][1795580300.885102272][ConnectionCreator.cpp:868][#1][!ConnectionCreator]\t[149.154.175.50:443] to DcId{1}: [PosixError : Connection timed out : 110 : Failed to connect to [149.154.175.50:443]]", "tdlib.connect-timeout")]
    // WTelegramClient Client.cs:924: $"SocketException {ex.SocketErrorCode} ({ex.ErrorCode}): {ex.Message}"
    [InlineData("SocketException TimedOut (110): Connection timed out", "wtelegramclient.connect-timeout")]
    // WTelegramClient Client.cs:380 with ConnectionShutDown (Client.cs:96)
    [InlineData("2>An exception occured in the reactor: WTelegram.WTException: Could not read payload length : Connection shut down", "wtelegramclient.reactor-shutdown")]
    // Pyrogram auth.py:269: "Retrying due to %s: %s", type(e).__name__, e
    [InlineData("INFO:pyrogram.session.auth:Retrying due to ConnectionResetError: Connection lost", "pyrogram.auth-retrying")]
    // Pyrogram connection.py:50 with TCP.connect's TimeoutError("Connection timed out") (tcp.py:84)
    [InlineData("WARNING:pyrogram.connection.connection:Unable to connect due to network issues: Connection timed out", "pyrogram.unable-to-connect-timeout")]
    // The seed's own Pyrogram traceback (shared/seed), as the original monitor printed it
    [InlineData("Traceback (most recent call last):\n  File \".../pyrogram/dispatcher.py\", line 214, in handler_worker\n    await parser(update, users, chats)\n  ...\nOSError: Connection lost", "pyrogram.connection-lost-traceback")]
    public void FormatStringsOfLibrariesThatCannotRunHere_AreClassified(string record, string ruleId)
    {
        Assert.Equal(ruleId, Single(record + "\n"));
    }

    [Theory]
    [InlineData("alice: my socket.send() raised exception. again")]
    [InlineData("Connection lost")]
    [InlineData("OSError: Connection lost")]
    [InlineData("Traceback (most recent call last):\n  File \"bot.py\", line 3, in handle\nOSError: Connection lost")]
    [InlineData("[10] Retrying \"updates.GetChannelDifference\" due to: a database is locked")]
    [InlineData("Attempt 1 at connecting failed: ValueError: bad")]
    [InlineData("Connecting to the database...")]
    [InlineData("SocketException AccessDenied (13): Permission denied")]
    [InlineData("System.InvalidOperationException: oops\n ---> System.Net.Sockets.SocketException (111): Connection refused\n   at A.B()")]
    [InlineData("[ 2][t 4][1795580300.885102272][ConnectionCreator.cpp:868][#1][!ConnectionCreator]\t[x] to DcId{1}: [PosixError : No space left on device : 28 : Failed]")]
    // The recorded SOCKS5 lines (Samples/tdlib-1.8.65.socks5-*.callback.txt) with an errno that is not the network's, or from another source.
    [InlineData("[ 2][t 3][1795638771.436468124][Session.cpp:1473][#1][!Session:1:main::HandshakeActor]\tFailed to open connection: [PosixError : Too many open files : 24 : Error on [fd:101] : Socks5 [127.0.0.1:32961] --> [149.154.175.50:443] to DcId{1} from [127.0.0.1:50164]]")]
    [InlineData("[ 2][t 3][1795638771.436468124][Session.cpp:1473][#1][!Session:1:main::GenAuthKey]\tFailed to open connection: [PosixError : Connection reset by peer : 104 : Error on [fd:101] : Socks5 [127.0.0.1:32961] --> [149.154.175.50:443] to DcId{1} from [127.0.0.1:50164]]")]
    [InlineData("[ 2][t 3][1795638772.416949033][ConnectionCreator.cpp:941][#1][!PingActor<Socks5 [127.0.0.1:32961] --> [149.154.175.50:80] to DcId{1} from [127.0.0.1:50168]>][&connections]\tFailed connection (checked) [PosixError : No space left on device : 28 : Error on [fd:101]] Socks5 [127.0.0.1:32961] --> [149.154.175.50:80] to DcId{1} from [127.0.0.1:50168]")]
    [InlineData("[ 2][t 3][1795638772.416949033][MessagesManager.cpp:941][#1][!PingActor<x>][&connections]\tFailed connection (checked) [PosixError : Connection reset by peer : 104 : Error on [fd:101]] x")]
    [InlineData("[ 2][t 4][1795638771.5][Td.cpp:1][#1][!Td]\tmessage text: Failed to open connection: [PosixError : Connection reset by peer : 104 : x]")]
    // A chat message on a log line that quotes a library's noise is the user's text, not the library's.
    [InlineData("INFO:mybot:new message in \"asyncio help\" from @bob: socket.send() raised exception.")]
    [InlineData("INFO:mybot:message from @erin: telethon.network.mtprotosender: Attempt 2 at connecting failed: ConnectionRefusedError: [Errno 111] refused")]
    [InlineData("INFO:bot:message from @carol:\n      she wrote: System.Net.Sockets.SocketException (104): Connection reset by peer\n      and then left")]
    // A disk-full error or a bug during the handling of a reset is a failure of its own.
    [InlineData("Traceback (most recent call last):\n  File \"bot.py\", line 2, in save\nOSError: [Errno 28] No space left on device\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File \"bot.py\", line 5, in save\nConnectionResetError: [Errno 104] Connection reset by peer")]
    [InlineData("System.AggregateException: One or more errors occurred. (refused) (broken)\n ---> System.Net.Http.HttpRequestException: refused\n ---> System.Net.Sockets.SocketException (111): Connection refused\n   --- End of inner exception stack trace ---\n   --- End of inner exception stack trace ---\n ---> (Inner Exception #1) System.InvalidOperationException: broken\n   at A.B()<---")]
    public void LookalikesThatAreNotTransportNoise_PassThrough(string record)
    {
        var rule = Single(record + "\n");
        Assert.True(rule is null or "cpython.disk-errors-stay-loud", $"taken by {rule}");
    }

    private static string? Single(string text)
    {
        var records = SampleClassification.Classify(Encoding.UTF8.GetBytes(text));
        var noise = records.Where(r => r.RuleId is not null).ToList();
        return noise.Count switch
        {
            0 => null,
            1 => noise[0].RuleId,
            _ => throw new Xunit.Sdk.XunitException($"{noise.Count} records matched: {string.Join(", ", noise.Select(r => r.RuleId))}"),
        };
    }
}
