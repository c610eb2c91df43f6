using Microsoft.Extensions.Time.Testing;
using Tgwatch.Cli.Export;
using Tgwatch.Connectors;
using Tgwatch.Media;
using Tgwatch.Pipeline;
using Tgwatch.Tdlib.Connector.Export;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary><c>tgwatch export</c> as a user meets it: every mistake is one line in the user's words, with the exit code it means.</summary>
public sealed class ExportCommandTests
{
    private const string ApiHash = "abcdef0123456789abcdef0123456789";
    private readonly string _dir = Some.TempDirectory("tgwatch-export");

    [Theory]
    [InlineData("--chat is required", "--sink", "console")]
    [InlineData("the Bot API cannot read a chat's history", "--chat", "@news", "--connector", "botapi")]
    [InlineData("--since expects a date such as 2025-01-01 or a moment such as 2025-01-01T12:30:00Z, not 'yesterday'", "--chat", "@news", "--since", "yesterday")]
    [InlineData("--until expects a date such as 2025-01-01 or a moment such as 2025-01-01T12:30:00Z, not '2025-02-30'", "--chat", "@news", "--until", "2025-02-30")]
    [InlineData("--since 2025-07-01 is not before --until (the range is empty)", "--chat", "@news", "--since", "2025-07-01", "--until", "2025-06-30T00:00:00Z")]
    [InlineData("--limit expects a whole number of 1 or more, not '0'", "--chat", "@news", "--limit", "0")]
    [InlineData("chat 'news': expected a chat id (e.g. -1001234567890) or a public @username", "--chat", "news", "--api-id", "1", "--api-hash", ApiHash)]
    [InlineData("no TDLib api id and api hash", "--chat", "@news")]
    [InlineData("Sinks: --sink 'bogus' is not one of", "--chat", "@news", "--api-id", "1", "--api-hash", ApiHash, "--sink", "bogus")]
    public async Task BadArguments_AreOneLineInTheUsersWords_ExitCode2(string expected, params string[] args)
    {
        var run = await Tgwatch.RunAsync(null, ["export", .. args, "--data-dir", _dir]);
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("tgwatch export: ", line);
        Assert.Contains(expected, line);
        Assert.DoesNotContain(ApiHash, run.Stderr);
    }

    // A set-up whose configuration names the Bot API (a bot's tgwatch.json) hears why export cannot use it, and nothing else.
    [Fact]
    public async Task AConfigurationOfTheBotApi_IsTheOneLineThatTheBotApiCannotReadHistory()
    {
        var config = Path.Combine(_dir, "tgwatch.json");
        await File.WriteAllTextAsync(config, """{"Connector": "botapi", "BotApi": {"Token": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ012345678"}}""");
        var run = await Tgwatch.RunAsync(null, "export", "--config", config, "--chat", "@news", "--data-dir", _dir);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("tgwatch export: the Bot API cannot read a chat's history: export works through TDLib (tgwatch login, then tgwatch export --connector tdlib)\n", run.Stderr);
    }

    // No session in the data directory: exit code 3, one line saying to log in (TDLib starts, offline, and says so).
    [Fact]
    public async Task NoSession_IsExitCode3_AndOneLineSayingToLogIn()
    {
        var run = await Tgwatch.RunAsync(null, "export", "--chat", "@news", "--api-id", "1", "--api-hash", ApiHash, "--data-dir", _dir, "--state", Path.Combine(_dir, "state.db"));
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("tgwatch export: not logged in to Telegram: run tgwatch login first", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(ApiHash, run.Stderr);
    }

    [Theory]
    [InlineData("2025-01-01", false, "2025-01-01T00:00:00+00:00")]
    [InlineData("2025-06-30", true, "2025-07-01T00:00:00+00:00")]
    [InlineData("2025-06-30T18:00:00Z", true, "2025-06-30T18:00:00+00:00")]
    [InlineData("2025-06-30T20:00:00+02:00", false, "2025-06-30T18:00:00+00:00")]
    [InlineData("2025-06-30T18:00", false, "2025-06-30T18:00:00+00:00")]
    public void ADate_IsADayInUtc_AndAnUntilDateTakesThatWholeDayIn(string text, bool until, string expected)
    {
        Assert.True(ExportDates.TryParse(text, until, out var moment));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), moment);
    }

    [Fact]
    public void TheProgressLine_SaysDoneOfTheEstimate_TheRate_TheTimeLeft_AndAFloodWaitAsACountdown()
    {
        var exporting = new ExportFigures(HistoryExportState.Exporting, 2345, 5000, 230, TimeSpan.FromSeconds(12), null, false, TimeSpan.FromSeconds(10));
        Assert.Equal("export: 2,345 of ~5,000 messages (46%), 230/s, about 12s left", exporting.Line());
        var flooded = exporting with { FloodWaitLeft = TimeSpan.FromSeconds(25) };
        Assert.EndsWith("; FLOOD_WAIT: Telegram asked to wait, going on in 25s", flooded.Line(), StringComparison.Ordinal);
        var down = exporting with { LinkDown = true };
        Assert.EndsWith("; the link to Telegram is down, waiting for it", down.Line(), StringComparison.Ordinal);
    }

    // With --media the line says the files downloaded and their bytes, in the units --media-max-size is written in.
    [Fact]
    public void WithMedia_TheProgressLineSaysTheFilesDownloadedAndTheirBytes_AndTheFailedDownloadsWhenAnyFailed()
    {
        var exporting = new ExportFigures(HistoryExportState.Exporting, 2345, 5000, 230, TimeSpan.FromSeconds(12), null, false, TimeSpan.FromSeconds(10))
        {
            Files = new FileFigures(12, 12_897_485, 0),
        };
        Assert.Equal("export: 2,345 of ~5,000 messages (46%), 230/s, about 12s left, 12 files downloaded (12.3 MB)", exporting.Line());
        var failing = exporting with { Files = new FileFigures(1, 900 * 1024, 3), FloodWaitLeft = TimeSpan.FromSeconds(25) };
        Assert.Equal("export: 2,345 of ~5,000 messages (46%), 230/s, about 12s left, 1 file downloaded (900 KB), 3 downloads failed; FLOOD_WAIT: Telegram asked to wait, going on in 25s", failing.Line());
        var done = exporting with { State = HistoryExportState.Done, Left = null, Files = new FileFigures(1_234, 3L << 30, 1) };
        Assert.Equal("export: 2,345 of ~5,000 messages (46%), 230/s, 1,234 files downloaded (3 GB), 1 download failed", done.Line());
    }

    // A large file through TDLib takes a while: its bytes so far (from updateFile) show in the line before it is done.
    [Fact]
    public void WithTdlibDownloadingAFile_TheLineSaysItsBytesSoFar()
    {
        var exporting = new ExportFigures(HistoryExportState.Done, 2345, 2345, 230, null, null, false, TimeSpan.FromSeconds(10))
        {
            Files = new FileFigures(12, 12_897_485, 0) { InFlight = new MediaInFlight(1, 4_718_592, 41_943_040) },
        };
        Assert.Equal("export: 2,345 of ~2,345 messages (100%), 230/s, 12 files downloaded (12.3 MB), 1 downloading (4.5 MB of 40 MB)", exporting.Line());
    }

    // The progress reads the files from the pipeline's counters only when it is given them (--media); else it says none.
    [Fact]
    public void WithoutMedia_TheProgressHasNoFiles_WithMedia_ItReadsThePipelinesCounters()
    {
        var clock = new FakeTimeProvider(SomeMessage.Date);
        Assert.Null(new ExportProgress(new HistoryExportStats(), new Idle(), clock).Now().Files);
        Assert.Equal(new FileFigures(0, 0, 0), new ExportProgress(new HistoryExportStats(), new Idle(), clock, new PipelineStats()).Now().Files);
        var exporting = new ExportFigures(HistoryExportState.Exporting, 10, 20, 1, TimeSpan.FromSeconds(10), null, false, TimeSpan.FromSeconds(10));
        Assert.Equal("export: 10 of ~20 messages (50%), 1/s, about 10s left", exporting.Line());
    }

    [Fact]
    public void TheSummary_WithMedia_GivesTheFilesTheirBytesAndTheFailedDownloads_WithoutMedia_NoWordOfFiles()
    {
        var figures = new ExportFigures(HistoryExportState.Done, 40, 40, 4, null, null, false, TimeSpan.FromSeconds(72));
        var withMedia = ExportCommand.Summary(new HistoryExportStats(), "export:-1001", new PipelineStats(), figures with { Files = new FileFigures(7, 5L << 20, 2) }, []);
        Assert.Contains(", 0 dead letters, 7 files downloaded (5 MB), 2 downloads failed, 0 FLOOD_WAIT(s) waited out, in 1m12s; position kept as export:-1001", withMedia, StringComparison.Ordinal);
        var noneFailed = ExportCommand.Summary(new HistoryExportStats(), "export:-1001", new PipelineStats(), figures with { Files = new FileFigures(0, 0, 0) }, []);
        Assert.Contains(", 0 dead letters, 0 files downloaded (0 bytes), 0 FLOOD_WAIT(s)", noneFailed, StringComparison.Ordinal);
        var withoutMedia = ExportCommand.Summary(new HistoryExportStats(), "export:-1001", new PipelineStats(), figures, []);
        Assert.Contains(", 0 dead letters, 0 FLOOD_WAIT(s) waited out, in 1m12s", withoutMedia, StringComparison.Ordinal);
        Assert.DoesNotContain("file", withoutMedia, StringComparison.Ordinal);
    }

    // Not on a terminal: one plain line every 10 s, on the clock, not more.
    [Fact]
    public async Task NotOnATerminal_TheProgressIsOnePlainLineEvery10Seconds()
    {
        var clock = new FakeTimeProvider(SomeMessage.Date);
        var logs = new CollectingLoggerProvider();
        var progress = new ExportProgress(new HistoryExportStats(), new Idle(), clock);
        using var stop = new CancellationTokenSource();
        var plain = progress.PlainAsync(logs.CreateLogger("Tgwatch.Export"), ExportProgress.PlainEvery, stop.Token);
        int Lines() => logs.Entries.Count(e => e.EventId.Id == 8301);
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, Lines());
        clock.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() => Lines() == 1, "the first line");
        clock.Advance(TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => Lines() == 2, "the second line");
        await stop.CancelAsync();
        await plain;
        Assert.Equal("export: finding the chat and its range", logs.Entries.First(e => e.EventId.Id == 8301).Message);
    }

    private sealed class Idle : IConnector
    {
        public string Name => "tdlib";
        public string Account => "user1";
        public ConnectionStatus Status => new(ConnectionState.Ready, null, DateTimeOffset.UnixEpoch);
        public event Action<ConnectionStatus>? StatusChanged { add { } remove { } }
        public IAsyncEnumerable<Delivery> ReadAsync(IReadOnlyDictionary<string, long> committed, CancellationToken ct) => throw new NotSupportedException();
        public ValueTask CommitAsync(Checkpoint upTo, CancellationToken ct) => ValueTask.CompletedTask;
        public ValueTask<ReplyResult> ResolveReplyAsync(Messages.MessageRef reply, CancellationToken ct) => throw new NotSupportedException();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
