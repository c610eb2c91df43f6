using Tgwatch.Noise.Records;

namespace Tgwatch.Noise.Tests;

public sealed class RecordGroupingTests
{
    private static List<string> Group(string text, int maxLines = 500, int maxBytes = 65536, params string[] prefixes)
    {
        var records = new List<string>();
        var grouper = new RecordGrouper(prefixes, [new System.Text.RegularExpressions.Regex("^ERROR:asyncio:Task exception was never retrieved$"), new System.Text.RegularExpressions.Regex("^Fatal write error")], maxLines, maxBytes, r => records.Add(System.Text.Encoding.UTF8.GetString(r.Bytes)));
        foreach (var line in text.Split('\n').SkipLast(1)) grouper.Add(System.Text.Encoding.UTF8.GetBytes(line + "\n"));
        grouper.Flush();
        return records;
    }

    [Fact]
    public void PythonTraceback_WithLoggerLineAndChain_IsOneRecord()
    {
        var traceback = """
            ERROR:asyncio:Task exception was never retrieved
            Traceback (most recent call last):
              File "/usr/lib/python3.11/asyncio/selector_events.py", line 1, in _read_ready
                data = self._sock.recv(self.max_size)
            ConnectionResetError: [Errno 104] Connection reset by peer

            During handling of the above exception, another exception occurred:

            Traceback (most recent call last):
              File "bot.py", line 3, in main
            OSError: Connection lost

            """;
        var records = Group(traceback + "next line\n");
        Assert.Equal(2, records.Count);
        Assert.Equal(traceback, records[0]);
        Assert.Equal("next line\n", records[1]);
    }

    [Fact]
    public void UndeclaredLine_BeforeATraceback_StaysARecordOfItsOwn()
    {
        var records = Group("alice: hello\nTraceback (most recent call last):\n  File \"x.py\", line 1\nConnectionResetError: [Errno 104] reset\n");
        Assert.Equal("alice: hello\n", records[0]);
        Assert.Equal(2, records.Count);
    }

    [Fact]
    public void PythonTraceback_FollowedByBlankAndOtherText_EndsAtTheBlank()
    {
        var records = Group("Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad\n\nhello\n");
        Assert.Equal(["Traceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad\n\n", "hello\n"], records);
    }

    [Fact]
    public void DotNetExceptionBlock_AsConsoleLoggerPrintsIt_IsOneRecord()
    {
        var block = """
            fail: Bot[0]
                  polling failed
                  System.Net.Http.HttpRequestException: Connection refused (127.0.0.1:1)
                   ---> System.Net.Sockets.SocketException (111): Connection refused
                     at System.Net.Sockets.Socket.ConnectAsync()
                     --- End of inner exception stack trace ---
                     at Program.Main()

            """;
        Assert.Equal([block, "info: Bot[0]\n"], Group(block + "info: Bot[0]\n"));
    }

    [Fact]
    public void DotNetToString_WithUnindentedMarkerAndEmptyLine_IsOneRecord()
    {
        var block = "System.IO.IOException: Unable to read data from the transport connection: Connection reset by peer.\n" +
            " ---> System.Net.Sockets.SocketException (104): Connection reset by peer\n" +
            "   at System.Threading.Thread.StartCallback()\n" +
            "--- End of stack trace from previous location ---\n" +
            "\n" +
            "   --- End of inner exception stack trace ---\n" +
            "   at Program.Main()\n";
        Assert.Equal([block, "next\n"], Group(block + "next\n"));
    }

    [Fact]
    public void DeclaredContinuationPrefixes_JoinTheRecordBeforeThem()
    {
        var text = "Fatal write error on socket transport\nprotocol: <x>\ntransport: <y>\nTraceback (most recent call last):\n  File \"a\", line 1\nBrokenPipeError: [Errno 32] Broken pipe\nafter\n";
        var records = Group(text, prefixes: ["protocol: <", "transport: <"]);
        Assert.Equal(2, records.Count);
        Assert.Equal("after\n", records[1]);
    }

    [Fact]
    public void PlainLines_AreRecordsOfTheirOwn()
    {
        Assert.Equal(["a\n", "b\n", "\n", "c\n"], Group("a\nb\n\nc\n"));
    }

    [Fact]
    public void Record_ReachingTheLineCap_IsClosed()
    {
        var text = "head\n" + string.Concat(Enumerable.Repeat("  x\n", 10));
        var records = Group(text, maxLines: 4);
        Assert.Equal(4, records[0].Split('\n').Length - 1);
        Assert.Equal(text, string.Concat(records));
    }

    [Fact]
    public void Record_ReachingTheByteCap_IsClosedBeforeItExceedsIt()
    {
        var text = "head\n" + string.Concat(Enumerable.Repeat("  " + new string('y', 600) + "\n", 10));
        var records = Group(text, maxBytes: 1024);
        Assert.All(records, r => Assert.True(r.Length <= 1024, $"record of {r.Length} bytes"));
        Assert.Equal(text, string.Concat(records));
    }
}
