using Tgwatch.Messages;
using Tgwatch.Sinks.Console;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Console;

public sealed class ConsoleSinkTests
{
    private static readonly ConsoleSinkOptions Utc = new() { TimeZone = TimeZoneInfo.Utc };

    private static async Task<string> PrintAsync(ConsoleSinkOptions options, bool terminal, params TgMessage[] messages)
    {
        var output = new StringWriter();
        await using var sink = new ConsoleSink(options, output, terminal);
        await sink.WriteAsync(messages, CancellationToken.None);
        return output.ToString();
    }

    private static Task<string> PrintAsync(params TgMessage[] messages) => PrintAsync(Utc, terminal: false, messages);

    [Fact]
    public async Task New_TimeChatSenderText()
    {
        Assert.Equal("09:26:54  Test chat(@testchat)  Ada Lovelace: hello\n", await PrintAsync(SomeMessage.New(1)));
    }

    [Fact]
    public async Task Edit_ShowsTheEditTimeAndAMarker()
    {
        Assert.Equal("09:27:54  Test chat(@testchat)  ✎ Ada Lovelace: fixed\n", await PrintAsync(SomeMessage.Edit(1, "fixed")));
    }

    [Fact]
    public async Task Delete_WithoutSender_NamesTheMessage()
    {
        Assert.Equal("09:27:35  Test chat(@testchat)  ✗ message 42 deleted\n", await PrintAsync(SomeMessage.Delete(42)));
    }

    [Fact]
    public async Task Reply_ShowsTheIdAndAQuotedExcerpt()
    {
        var resolved = SomeMessage.New(5, "yes") with { ReplyTo = new ReplyRef(-1001234567890, 4, ReplyState.Resolved, "are you there?") };
        var unresolved = SomeMessage.New(6, "and?") with { ReplyTo = new ReplyRef(-1001234567890, 123, ReplyState.Unresolved) };
        var elsewhere = SomeMessage.New(7, "see") with { ReplyTo = new ReplyRef(-1009, 8, ReplyState.Unresolved) };

        var lines = (await PrintAsync(resolved, unresolved, elsewhere)).Split('\n');

        Assert.EndsWith("Ada Lovelace: ↩ 4 \"are you there?\" yes", lines[0]);
        Assert.EndsWith("Ada Lovelace: ↩ 123 and?", lines[1]);
        Assert.EndsWith("Ada Lovelace: ↩ -1009/8 see", lines[2]);
    }

    [Fact]
    public async Task Reply_LongQuote_IsCappedAtQuoteLength()
    {
        var reply = SomeMessage.New(5, "ok") with { ReplyTo = new ReplyRef(-1001234567890, 4, ReplyState.Resolved, new string('q', 100)) };

        var line = await PrintAsync(Utc with { QuoteLength = 10 }, false, reply);

        Assert.EndsWith($"↩ 4 \"{new string('q', 10)}…\" ok\n", line);
    }

    [Fact]
    public async Task ReplyUpdate_HasItsOwnMarker()
    {
        var update = SomeMessage.New(5, "yes") with { IsReplyUpdate = true, ReplyTo = new ReplyRef(-1001234567890, 4, ReplyState.Resolved, "q") };

        Assert.Contains("  ↻ Ada Lovelace: ↩ 4 \"q\" yes", await PrintAsync(update));
    }

    [Fact]
    public async Task Media_TypeInBracketsThenCaption()
    {
        var photo = SomeMessage.New(1, null) with { Media = new MediaInfo("photo", "sunset") };
        var sticker = SomeMessage.New(2, null) with { Media = new MediaInfo("sticker") };

        var lines = (await PrintAsync(photo, sticker)).Split('\n');

        Assert.EndsWith("Ada Lovelace: [photo] sunset", lines[0]);
        Assert.EndsWith("Ada Lovelace: [sticker]", lines[1]);
    }

    [Fact]
    public async Task Multiline_LineEndsShownAsReturnSymbol()
    {
        var output = await PrintAsync(SomeMessage.New(1, "one\ntwo\r\nthree\rfour\n"));

        Assert.EndsWith("Ada Lovelace: one⏎two⏎three⏎four⏎\n", output);
        Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task HugeText_IsCappedWithEllipsis()
    {
        var output = await PrintAsync(SomeMessage.New(1, new string('a', 1_000_000)));

        Assert.EndsWith(": " + new string('a', 200) + "…\n", output);
    }

    [Fact]
    public async Task ExcerptCut_NeverSplitsASurrogatePair()
    {
        var output = await PrintAsync(Utc with { ExcerptLength = 4 }, false, SomeMessage.New(1, "abc😀def"));

        Assert.EndsWith(": abc…\n", output);
    }

    [Fact]
    public async Task ControlCharacters_CannotReachTheTerminal()
    {
        var evil = SomeMessage.New(1, "\e[2Jgone\u0007\u009b31m\u202eabc") with
        {
            Chat = new ChatInfo(-5, Title: "\e[31mred"),
            Sender = new SenderInfo(9, "Eve\e]0;title\u0007"),
        };

        var output = await PrintAsync(Utc with { Color = ConsoleColorMode.Never }, true, evil);

        Assert.DoesNotContain('\e', output);
        Assert.DoesNotContain('\u0007', output);
        Assert.DoesNotContain('\u009b', output);
        Assert.DoesNotContain('\u202e', output);
        Assert.Contains("␛[2Jgone␇", output);
    }

    [Fact]
    public async Task OddMessages_NeverThrow()
    {
        var odd = new TgMessage
        {
            Account = "",
            Connector = "",
            Chat = new ChatInfo(0),
            MessageId = 0,
            Date = DateTimeOffset.MinValue,
            Text = "",
            Media = new MediaInfo(""),
            ReplyTo = new ReplyRef(0, 0, ReplyState.Unresolved, ""),
        };
        var lone = SomeMessage.New(2, "x\ud800y") with { Sender = new SenderInfo(77) };
        var bare = SomeMessage.New(3, null) with { Sender = null };

        var lines = (await PrintAsync(odd, lone, bare, SomeMessage.Delete(4) with { Sender = new SenderInfo(1, null, "eve") })).Split('\n');

        Assert.Equal("00:00:00  0  ?: ↩ 0 [media]", lines[0]);
        Assert.EndsWith("#77: x\ufffdy", lines[1]);
        Assert.EndsWith("  ?: (no text)", lines[2]);
        Assert.EndsWith("  ✗ @eve: (no text) (deleted 4)", lines[3]);
    }

    [Fact]
    public async Task DatesAtTheEdgesOfTheCalendar_InAnyZone_NeverThrow()
    {
        var minus5 = TimeZoneInfo.CreateCustomTimeZone("minus5", TimeSpan.FromHours(-5), "minus5", "minus5");
        var plus5 = TimeZoneInfo.CreateCustomTimeZone("plus5", TimeSpan.FromHours(5), "plus5", "plus5");
        var first = SomeMessage.New(1) with { Date = DateTimeOffset.MinValue };
        var last = SomeMessage.Edit(2) with { EditDate = DateTimeOffset.MaxValue };

        Assert.StartsWith("00:00:00  ", await PrintAsync(Utc with { TimeZone = minus5 }, false, first));
        Assert.StartsWith("23:59:59  ", await PrintAsync(Utc with { TimeZone = plus5 }, false, last));
    }

    [Fact]
    public async Task Chat_WithoutTitle_ShowsUsernameOrId()
    {
        var byName = SomeMessage.New(1) with { Chat = new ChatInfo(-7, Username: "chan") };
        var byId = SomeMessage.New(2) with { Chat = new ChatInfo(-7) };

        var lines = (await PrintAsync(byName, byId)).Split('\n');

        Assert.StartsWith("09:26:54  @chan  Ada", lines[0]);
        Assert.StartsWith("09:26:55  -7  Ada", lines[1]);
    }

    [Fact]
    public async Task Time_IsShownInTheConfiguredZone()
    {
        var plus3 = TimeZoneInfo.CreateCustomTimeZone("plus3", TimeSpan.FromHours(3), "plus3", "plus3");

        Assert.StartsWith("12:26:54  ", await PrintAsync(Utc with { TimeZone = plus3 }, false, SomeMessage.New(1)));
    }

    [Fact]
    public async Task Colour_OffWhenRedirected_OnWhenTerminalOrForced()
    {
        var message = SomeMessage.Edit(1);

        var redirected = await PrintAsync(Utc, terminal: false, message);
        var terminal = await PrintAsync(Utc, terminal: true, message);
        var forced = await PrintAsync(Utc with { Color = ConsoleColorMode.Always }, terminal: false, message);
        var never = await PrintAsync(Utc with { Color = ConsoleColorMode.Never }, terminal: true, message);

        Assert.DoesNotContain('\e', redirected);
        Assert.DoesNotContain('\e', never);
        Assert.Contains("\e[33m✎ \e[0m", terminal);
        Assert.Equal(terminal, forced);
        Assert.Equal(redirected, StripAnsi(forced));
        Assert.Equal(redirected, never);
    }

    [Fact]
    public async Task Batch_IsOneLinePerMessage()
    {
        var output = await PrintAsync(SomeMessage.Batch(1, 50));

        Assert.Equal(50, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Theory]
    [InlineData(0, 60, "ExcerptLength")]
    [InlineData(200, -1, "QuoteLength")]
    public void Options_Invalid_ThrowNamingTheOption(int excerpt, int quote, string option)
    {
        var e = Assert.Throws<ArgumentException>(() => new ConsoleSink(new ConsoleSinkOptions { ExcerptLength = excerpt, QuoteLength = quote }, TextWriter.Null));
        Assert.Contains("ConsoleSinkOptions." + option, e.Message);
    }

    private static string StripAnsi(string s) => System.Text.RegularExpressions.Regex.Replace(s, "\e\\[[0-9;]*m", "");
}
