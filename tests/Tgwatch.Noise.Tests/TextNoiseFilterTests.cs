using System.Text;

namespace Tgwatch.Noise.Tests;

public sealed class TextNoiseFilterTests
{
    private const string SocketSend = "socket.send() raised exception.";
    private const string SocketSendFirst = "[tgwatch] suppressed 1× Network: socket.send() raised exception. (asyncio socket.send()) (1 lines)";

    [Fact]
    public void GenuineOutput_PassesByteForByte_IncludingCrLfInvalidUtf8AndNoFinalNewline()
    {
        var h = new FilterHarness();
        byte[] input = [.. "first\r\n"u8, 0xff, 0xfe, (byte)'\n', .. "  indented\n\nlast without newline"u8];
        h.Filter.Write(input);
        h.End();
        Assert.Equal(input, h.OutputBytes);
    }

    [Fact]
    public void UserText_MentioningSocketOrConnectionLost_IsNotNoise()
    {
        var h = new FilterHarness();
        string[] lines =
        [
            "alice: my socket.send() raised exception. again, any idea?",
            "Connection lost",
            "OSError: Connection lost",
            "socket.send() raised exception. (quoted by a user)",
        ];
        for (var i = 0; i < 3; i++) h.Lines(lines);
        h.End();
        Assert.Equal(string.Concat(Enumerable.Repeat(string.Concat(lines.Select(l => l + "\n")), 3)), h.Output);
        Assert.Equal(0, h.Gate.Summaries);
    }

    [Fact]
    public void Flood_ShowsOneLineInPlaceOfTheFirst_ThenOneSummaryWhenTheBurstEnds()
    {
        var h = new FilterHarness();
        h.Lines("start");
        for (var i = 0; i < 1000; i++) h.Lines(SocketSend);
        h.Lines("a genuine line");
        h.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(h.BurstSummaries);
        h.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(["start", SocketSendFirst, "a genuine line"], h.OutputLines.Take(3));
        Assert.Equal([SocketSendFirst], h.FirstLines);
        var summary = Assert.Single(h.BurstSummaries);
        Assert.Contains("999× Network", summary);
        Assert.EndsWith("(999 lines)", summary);
        Assert.Equal(1000, h.SummarizedLines);
    }

    [Fact]
    public void ContinuousFlood_GivesAtMostOneSummaryPerWindow()
    {
        var h = new FilterHarness();
        for (var second = 0; second < 150; second++)
        {
            h.Lines(SocketSend, SocketSend);
            h.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(2, h.BurstSummaries.Count);
        h.End();
        Assert.Equal(3, h.BurstSummaries.Count);
        Assert.Equal(300, h.SummarizedLines);
        Assert.Equal([SocketSendFirst], h.FirstLines);
        Assert.DoesNotContain(SocketSend, h.OutputLines);
    }

    [Fact]
    public void SecondBurst_GetsItsOwnFirstLine_AndItsSummaryWaitsForTheWindow()
    {
        var h = new FilterHarness();
        for (var i = 0; i < 10; i++) h.Lines(SocketSend);
        h.Advance(TimeSpan.FromSeconds(6));
        Assert.Single(h.BurstSummaries);
        h.Advance(TimeSpan.FromSeconds(10));
        for (var i = 0; i < 10; i++) h.Lines(SocketSend);
        h.Advance(TimeSpan.FromSeconds(6));
        Assert.Single(h.BurstSummaries);
        h.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(2, h.BurstSummaries.Count);
        Assert.Equal([SocketSendFirst, SocketSendFirst], h.FirstLines);
        Assert.DoesNotContain(SocketSend, h.OutputLines);
        Assert.Equal(20, h.SummarizedLines);
    }

    [Fact]
    public void EndOfInput_WritesWhatIsPending()
    {
        var h = new FilterHarness();
        h.Lines(SocketSend, SocketSend, SocketSend).End();
        Assert.Equal([SocketSendFirst], h.FirstLines);
        Assert.EndsWith("(2 lines)", Assert.Single(h.BurstSummaries));
        Assert.Equal(3, h.SummarizedLines);
    }

    [Fact]
    public void NetworkTracebacks_AreCollapsed_ButDiskFullTracebacksStayLoud()
    {
        const string reset = "Traceback (most recent call last):\n  File \"/usr/lib/python3.11/asyncio/streams.py\", line 1, in read\nConnectionResetError: [Errno 104] Connection reset by peer\n";
        const string full = "Traceback (most recent call last):\n  File \"bot.py\", line 9, in save\nOSError: [Errno 28] No space left on device\n";
        var h = new FilterHarness();
        for (var i = 0; i < 5; i++) h.Write(reset).Write(full);
        h.End();
        Assert.Equal(0, CountOf(h.Output, reset));
        Assert.Equal(["[tgwatch] suppressed 1× Network: ConnectionResetError: [Errno 104] Connection reset by peer (Python connection error) (3 lines)"], h.FirstLines);
        Assert.Equal(5, CountOf(h.Output, full));
        Assert.Equal(15, h.SummarizedLines);
    }

    [Fact]
    public void DotNetBlock_IsNoiseOnlyWhenEverythingAroundTheSocketErrorIsAWrapper()
    {
        const string network = "System.Net.Http.HttpRequestException: Connection refused (127.0.0.1:1)\n ---> System.Net.Sockets.SocketException (111): Connection refused\n   at A.B()\n   --- End of inner exception stack trace ---\n   at C.D()\n";
        const string bug = "System.InvalidOperationException: state is broken\n ---> System.Net.Sockets.SocketException (111): Connection refused\n   at A.B()\n";
        var h = new FilterHarness();
        for (var i = 0; i < 3; i++) h.Write(network).Write(bug);
        h.End();
        Assert.Equal(0, CountOf(h.Output, network));
        Assert.Equal(["[tgwatch] suppressed 1× Network: System.Net.Sockets.SocketException (111): Connection refused (.NET socket error) (5 lines)"], h.FirstLines);
        Assert.Equal(3, CountOf(h.Output, bug));
    }

    [Fact]
    public void HeldRecord_IsDecidedAfterTheHoldTime_WithoutWaitingForMoreInput()
    {
        var h = new FilterHarness();
        h.Lines("prompt answered");
        Assert.Equal("", h.Output);
        h.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal("prompt answered\n", h.Output);
    }

    [Fact]
    public void PartialLine_LikeAPrompt_PassesAfterTheHoldTime_AndIsCountedOnce()
    {
        var h = new FilterHarness();
        h.Write("Enter the code: ");
        h.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal("Enter the code: ", h.Output);
        h.Write("12345\nnext\n").End();
        Assert.Equal("Enter the code: 12345\nnext\n", h.Output);
        Assert.Equal(2, h.Filter.LinesIn);
        Assert.Equal(2, h.Filter.LinesPassed);
    }

    [Fact]
    public void Summary_AfterAPartialLine_StartsOnALineOfItsOwn()
    {
        var h = new FilterHarness();
        h.Lines(SocketSend, SocketSend).Write("tail");
        h.End();
        Assert.EndsWith("tail\n" + Assert.Single(h.BurstSummaries), h.Output.TrimEnd('\n'));
    }

    [Fact]
    public void SummaryDueWhileAPromptWaitsForItsAnswer_ComesAfterTheLine_NotInsideIt()
    {
        var h = new FilterHarness();
        h.Lines(SocketSend, SocketSend, SocketSend).Write("Enter the code: ");
        h.Advance(TimeSpan.FromMilliseconds(250));
        h.Advance(TimeSpan.FromSeconds(6));
        Assert.Empty(h.BurstSummaries);
        h.Write("12345\n");
        Assert.StartsWith(SocketSendFirst + "\nEnter the code: 12345\n[tgwatch] suppressed 2× Network", h.Output);
    }

    [Fact]
    public void TwoStreams_NeverSplitEachOthersLines()
    {
        var output = new MemoryStream();
        var shared = new SharedOutput(output);
        var a = shared.WriterFor(0);
        var b = shared.WriterFor(1);
        a.Write("OUT 1 split "u8);
        b.Write("ERR 1 whole\n"u8);
        shared.WriteOwnLine("[tgwatch] suppressed 1× Network in the last 1s: x 1, all over (1 lines)");
        a.Write("line\nOUT 2 open"u8);
        b.Write("ERR 2 whole\n"u8);
        shared.EndOf(0);
        shared.Flush();
        Assert.Equal("OUT 1 split line\nERR 1 whole\n[tgwatch] suppressed 1× Network in the last 1s: x 1, all over (1 lines)\nOUT 2 open\nERR 2 whole\n",
            Encoding.UTF8.GetString(output.ToArray()));
    }

    [Fact]
    public void TenMegabyteLine_PassesUnchanged_WithBoundedMemory()
    {
        var h = new FilterHarness();
        var chunk = Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        var maxRetained = 0L;
        for (var i = 0; i < 160; i++)
        {
            h.Filter.Write(chunk);
            maxRetained = Math.Max(maxRetained, h.Filter.RetainedBytes);
        }
        h.Write("\nafter\n").End();
        Assert.Equal(160 * chunk.Length + 7, h.OutputBytes.Length);
        Assert.EndsWith("x\nafter\n", h.Output);
        Assert.True(maxRetained <= (3 * h.Options.MaxRecordBytes) + Rules.RepeatedLines.MaxRetainedBytes, $"retained {maxRetained} bytes");
        Assert.Equal(2, h.Filter.LinesIn);
    }


    [Fact]
    public void Gate_WithMoreSourcesThanItHasRoomFor_SharesTheLastSlots_AndCountsEverything()
    {
        var gate = new NoiseGate(new NoiseOptions(), TimeProvider.System, _ => { });
        var kinds = Enum.GetValues<Tgwatch.Faults.FaultKind>();
        var added = Enumerable.Range(0, 1000).Select(i => (Kind: kinds[i % kinds.Length], Handle: gate.AddSource($"source {i}", kinds[i % kinds.Length]))).ToList();
        Assert.All(added, a => Assert.InRange(a.Handle, 0, NoiseGate.MaxSources - 1));
        foreach (var (_, h) in added)
        {
            for (var i = 0; i < 2; i++)
                if (gate.Admit(h, 1) == Admission.Replace) gate.ReportFirst(h, 1, "");
        }
        gate.Flush();
        Assert.Equal(0, gate.Pending);
        Assert.Equal(2 * added.Count(a => NoiseGate.Collapses(a.Kind)), gate.Reported);
    }

    [Fact]
    public void IndentedGenuineLine_AfterTDLibNoise_Passes()
    {
        const string tdlib = "[ 2][t 4][1795580300.885102272][ConnectionCreator.cpp:868][#1][!ConnectionCreator]\t[149.154.175.50:443] to DcId{1}: [PosixError : Network is unreachable : 101 : Failed to connect to [149.154.175.50:443]]";
        var h = new FilterHarness();
        h.Lines(tdlib, tdlib, "    New message in chat -1001234: alice: hello").End();
        Assert.Contains("    New message in chat -1001234: alice: hello\n", h.Output);
    }

    [Fact]
    public void UserPattern_ThatBacktracksWithoutEnd_IsCutOff_AndTheLinePasses()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tgwatch-rules-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"pack\":\"user\",\"rules\":[{\"name\":\"evil\",\"kind\":\"Network\",\"head\":\"^(a+)+$\"}]}");
        try
        {
            var h = new FilterHarness(rules: NoiseRules.Load([path]));
            var line = new string('a', 40) + "!";
            h.Lines(line, line).End();
            Assert.Equal(line + "\n" + line + "\n", h.Output);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("{\"pack\":\"p\",\"rules\":[null]}")]
    [InlineData("{\"pack\":\"p\",\"continuationPrefixes\":[null]}")]
    [InlineData("{\"pack\":\"p\",\"tracebackPreambles\":[null]}")]
    [InlineData("{\"pack\":\"p\",\"rules\":[{\"name\":\"x\",\"kind\":\"Network\",\"exceptions\":[null]}]}")]
    [InlineData("{\"pack\":\"p\",\"rules\":[{\"name\":\"x\",\"kind\":\"Loud\",\"head\":\"a\"}]}")]
    [InlineData("{\"pack\":\"p\",\"rules\":[{\"name\":\"x\",\"kind\":\"Network\",\"head\":\"(\"}]}")]
    [InlineData("{\"pack\":\"p\",")]
    public void BadRulePack_IsRefusedWithOneLine(string json)
    {
        var e = Assert.Throws<Tgwatch.Noise.Rules.RulePackException>(() => NoiseRules.FromJson(json));
        Assert.DoesNotContain('\n', e.Message);
    }

    private static int CountOf(string haystack, string needle)
    {
        var n = 0;
        for (var i = haystack.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = haystack.IndexOf(needle, i + needle.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
