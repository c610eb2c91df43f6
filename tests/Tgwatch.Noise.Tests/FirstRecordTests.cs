
namespace Tgwatch.Noise.Tests;

/// <summary>
/// What becomes of the first record of a burst (<see cref="NoiseOptions.First"/>), on real captures: a line in its
/// place (the default), the record as it came, or only a count; in every case lines in = lines passed + Σ L.
/// </summary>
public sealed class FirstRecordTests
{
    // asyncio in debug mode: two 6-line ConnectionResetError tracebacks (each after its log message), then ten
    // socket.send() lines, between lines of the program's own and a genuine ZeroDivisionError at the end.
    private const string AsyncioDebug = "asyncio.cpython-3.11.7.debug.stderr.txt";
    private const string ResetLine = "[tgwatch] suppressed 1× Network: ConnectionResetError: [Errno 104] Connection reset by peer (Python connection error) (6 lines)";
    private const string SocketSendLine = "[tgwatch] suppressed 1× Network: WARNING:asyncio:socket.send() raised exception. (asyncio socket.send()) (1 lines)";

    private static string[] SampleLines(string name) => File.ReadAllText(SampleClassification.SamplePath(name)).TrimEnd('\n').Split('\n');

    private static FilterHarness Filter(string sample, FirstRecord? first)
    {
        var h = new FilterHarness(first is { } f ? new NoiseOptions { First = f } : null);
        h.Write(File.ReadAllText(SampleClassification.SamplePath(sample)));
        return h.End();
    }

    [Fact]
    public void ByDefault_TheFirstTracebackOfABurst_BecomesOneLineNamingItsException_ItsSourceAndItsLines()
    {
        var sample = SampleLines(AsyncioDebug);
        var h = Filter(AsyncioDebug, first: null);
        string[] expected =
        [
            .. sample[0..2],
            ResetLine,
            .. sample[8..10],
            SocketSendLine,
            .. sample[26..],
            "[tgwatch] suppressed 10× Network in the last 0ms: asyncio socket.send() 9, Python connection error 1, all over (15 lines)",
        ];
        Assert.Equal(expected, h.OutputLines);
        Assert.DoesNotContain(h.OutputLines, l => l.Contains("Connection reset by peer", StringComparison.Ordinal) && !l.StartsWith("[tgwatch] ", StringComparison.Ordinal));
        Assert.Equal(h.Filter.LinesIn, h.Filter.LinesPassed + h.SummarizedLines);
        Assert.Equal(36, h.Filter.LinesIn);
        Assert.Equal(22, h.SummarizedLines);
    }

    [Fact]
    public void WithFull_TheFirstTracebackOfABurst_IsShownAsItCame()
    {
        var sample = SampleLines(AsyncioDebug);
        var h = Filter(AsyncioDebug, FirstRecord.Full);
        string[] expected =
        [
            .. sample[0..10],
            sample[16],
            .. sample[26..],
            "[tgwatch] suppressed 10× Network in the last 0ms: asyncio socket.send() 9, Python connection error 1, all over (15 lines)",
        ];
        Assert.Equal(expected, h.OutputLines);
        Assert.Equal("ConnectionResetError: [Errno 104] Connection reset by peer", h.OutputLines[7]);
        Assert.Equal(h.Filter.LinesIn, h.Filter.LinesPassed + h.SummarizedLines);
        Assert.Equal(15, h.SummarizedLines);
    }

    [Fact]
    public void WithNone_TheFirstTracebackOfABurst_IsOnlyCountedInTheBurstsSummary()
    {
        var sample = SampleLines(AsyncioDebug);
        var h = Filter(AsyncioDebug, FirstRecord.None);
        string[] expected =
        [
            .. sample[0..2],
            .. sample[8..10],
            .. sample[26..],
            "[tgwatch] suppressed 12× Network in the last 0ms: asyncio socket.send() 10, Python connection error 2, all over (22 lines)",
        ];
        Assert.Equal(expected, h.OutputLines);
        Assert.Empty(h.FirstLines);
        Assert.Equal(h.Filter.LinesIn, h.Filter.LinesPassed + h.SummarizedLines);
        Assert.Equal(22, h.SummarizedLines);
    }

    [Theory]
    [InlineData("dotnet-10.0.12.console-logger.stdout.txt", "[tgwatch] suppressed 1× Network: System.Net.Sockets.SocketException (111): Connection refused (.NET socket error) (19 lines)")]
    [InlineData("dotnet-10.0.12.http-refused.tostring.txt", "[tgwatch] suppressed 1× Network: System.Net.Sockets.SocketException (111): Connection refused (.NET socket error) (17 lines)")]
    [InlineData("asyncio.cpython-3.11.7.connlost.stderr.txt", "[tgwatch] suppressed 1× Network: ConnectionResetError: Connection lost (Python connection error) (14 lines)")]
    public void TheLineOfATraceback_NamesTheExceptionThatDecidesIt_NotAWrapperAroundIt(string sample, string line)
    {
        var h = Filter(sample, first: null);
        Assert.Contains(line, h.FirstLines);
        Assert.Equal(h.Filter.LinesIn, h.Filter.LinesPassed + h.SummarizedLines);
    }

    [Fact]
    public void TheLineOfASingleLineRecord_GivesItsText_CutToAReadableLength()
    {
        var tdlib = SampleLines("tdlib-1.8.65.socks5-refused.v2-connections2.stderr.txt");
        var h = new FilterHarness();
        h.Lines(tdlib).End();
        Assert.NotEmpty(h.FirstLines);
        foreach (var line in h.FirstLines)
        {
            Assert.Matches(@"^\[tgwatch\] suppressed 1× (Network|Timeout): \[ ?\d\]\[t \d+\]\[\d+\.\d+\]\[\w+\.cpp:\d+\]\S* .+ \(TDLib [^()]+\) \(1 lines\)$", line);
            var gist = line[(line.IndexOf(": ", StringComparison.Ordinal) + 2)..line.LastIndexOf(" (TDLib ", StringComparison.Ordinal)];
            Assert.InRange(gist.Length, 1, 200);
            Assert.DoesNotContain('\t', gist);
            Assert.DoesNotContain('\u001b', gist);
        }
        Assert.Equal(h.Filter.LinesIn, h.Filter.LinesPassed + h.SummarizedLines);
    }

    [Theory]
    [MemberData(nameof(EverySampleInEveryMode))]
    public void InEveryMode_LinesInAreLinesPassedPlusTheLinesOfEverySummaryLine(string sample, FirstRecord first)
    {
        var h = Filter(sample, first);
        Assert.Equal(h.Filter.LinesIn, h.Filter.LinesPassed + h.SummarizedLines);
        Assert.Equal(h.Gate.Reported, h.SummarizedLines);
        Assert.Equal(0, h.Gate.Pending);
        Assert.Equal(h.Gate.Summaries, h.Summaries.Count);
        if (first != FirstRecord.Line) Assert.Empty(h.FirstLines);
    }

    public static TheoryData<string, FirstRecord> EverySampleInEveryMode()
    {
        var data = new TheoryData<string, FirstRecord>();
        foreach (var file in Directory.GetFiles(SampleClassification.SamplePath(""), "*.txt").Order(StringComparer.Ordinal))
            foreach (var first in Enum.GetValues<FirstRecord>())
                data.Add(Path.GetFileName(file), first);
        return data;
    }

    [Theory]
    [InlineData("full", FirstRecord.Full)]
    [InlineData("line", FirstRecord.Line)]
    [InlineData("None", FirstRecord.None)]
    [InlineData(" LINE ", FirstRecord.Line)]
    public void TheValues_AreReadByTheirNames(string text, FirstRecord value) => Assert.Equal(value, FirstRecords.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("first")]
    [InlineData("1")]
    [InlineData("full,line")]
    public void AnythingElse_IsNoValue(string text) => Assert.Null(FirstRecords.Parse(text));

    [Fact]
    public void TheDefault_IsOneLine() => Assert.Equal(FirstRecord.Line, new NoiseOptions().First);
}
