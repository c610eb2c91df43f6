using System.Text;
using System.Text.Json;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Pipeline;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;

namespace Tgwatch.BotApi.Tests;

/// <summary>What is read of the Bot API's answers is bounded: long strings are cut as they stream by, an answer over the bound is asked for again one update at a time, and one update alone over it is skipped; the stream goes on.</summary>
public sealed class HugeAnswerTests : IAsyncLifetime
{
    private const long Chat = -1001234567890;
    private BotApiSandbox _sandbox = null!;
    private readonly CollectingLoggerProvider _logs = new();

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private Task<InjectedUpdate> Send(string text, int? repeat = null) =>
        _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = Chat, Text = text, TextRepeat = repeat, From = new SandboxUser { Id = 1001, FirstName = "Ada" } });

    [Fact]
    public async Task AnUpdateAloneOverTheAnswerBound_IsSkipped_ALongOneWithinItIsCut_TheRestIsDelivered()
    {
        await Send("before");
        await Send("0123456789", repeat: 300_000); // 3 MB of text: over a 1 MiB answer
        await Send("abcdefghij", repeat: 50_000); // 500 kB: within it, cut to 64 Ki characters
        var after = await Send("after");
        var sink = new CollectingSink();
        var store = new InMemoryStateStore();
        await using var connector = new BotApiConnector(new BotApiOptions
        {
            Token = _sandbox.Token,
            ApiUrl = _sandbox.BaseUrl,
            PollTimeout = TimeSpan.FromSeconds(2),
            MinBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(400),
            MaxAnswerBytes = 1024 * 1024,
        }, _logs.CreateLogger("Tgwatch.BotApi"));
        var pipeline = new MessagePipeline(connector, [sink], store, new PipelineOptions { MinBackoff = TimeSpan.FromMilliseconds(1), DrainTimeout = TimeSpan.FromSeconds(2) });
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => sink.Keys.Count >= 3, "three messages", TimeSpan.FromSeconds(30), running: run);
        async Task<long> Committed() => BotApiConnector.IdOf((await store.LoadCheckpointsAsync(connector.Account, connector.Name, default)).GetValueOrDefault("updates"));
        await Eventually.TrueAsync(async () => await Committed() == after.UpdateId, "the last one committed", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(["before", "abcdefghij", "after"], sink.Writes.Select(m => m.Text![..Math.Min(10, m.Text!.Length)]));
        Assert.Equal(string.Concat(Enumerable.Repeat("abcdefghij", 6554))[..MessageText.MaxChars] + "… [truncated 434464 chars]", sink.Writes[1].Text);
        Assert.Equal(1, connector.Stats.Malformed);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 4011);
        Assert.Single(_logs.Entries, e => e.EventId.Id == 4012);
        Assert.Equal((long)after.UpdateId!.Value, await Committed()); // past the skipped update: it is not asked for again
    }

    [Theory]
    [InlineData("\"short\"", "\"short\"")]
    [InlineData("{\"update_id\":42,\"t\":\"ab\"}", "{\"update_id\":42,\"t\":\"ab\"}")]
    public void ShortAnswers_PassUnchanged(string json, string expected) => Assert.Equal(expected, Cap(json, out _));

    [Fact]
    public void ALongString_IsCut_AtACharacterBoundary_EscapesCountingAsOne()
    {
        // Escapes (\n, \u00e9) and a four-byte character (two UTF-16 units) before the cut, then many more characters.
        var text = "\\n\\u00e9😀" + new string('x', MessageText.MaxChars + 100);
        var cut = JsonSerializer.Deserialize<string>(Cap($"\"{text}\"", out _))!;
        var expected = "\né😀" + new string('x', MessageText.MaxChars - 4);
        Assert.Equal(expected + MessageText.Marker(104), cut);
    }

    [Fact]
    public async Task AnEmojiAcrossTheBoundOnAText_IsCutBeforeIt_TheMessageIsDelivered()
    {
        // The Bot API (like the sandbox) sends a character past the BMP as an escaped surrogate pair: the cut must not
        // fall between its halves, or the text cannot be read and the message is lost as malformed.
        var text = new string('x', MessageText.MaxChars - 1) + "😀" + new string('y', 100);
        var sent = await Send(text);
        var sink = new CollectingSink();
        await using var connector = new BotApiConnector(new BotApiOptions
        {
            Token = _sandbox.Token,
            ApiUrl = _sandbox.BaseUrl,
            PollTimeout = TimeSpan.FromSeconds(2),
            MinBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(400),
        }, _logs.CreateLogger("Tgwatch.BotApi"));
        var pipeline = new MessagePipeline(connector, [sink], new InMemoryStateStore(), new PipelineOptions { MinBackoff = TimeSpan.FromMilliseconds(1), DrainTimeout = TimeSpan.FromSeconds(2) });
        using var stop = new CancellationTokenSource();
        var run = pipeline.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => connector.Stats.Polls >= 1 && (sink.Keys.Count >= 1 || connector.Stats.Malformed >= 1), "the update read", TimeSpan.FromSeconds(30), running: run);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, connector.Stats.Malformed);
        var message = Assert.Single(sink.Writes);
        Assert.Equal(sent.MessageId, message.MessageId);
        Assert.Equal(new string('x', MessageText.MaxChars - 1) + MessageText.Marker(102), message.Text);
    }

    [Theory]
    [InlineData("\\ud83d\\ude00")] // escaped surrogate pair
    [InlineData("\\uD83D\\uDE00")]
    [InlineData("😀")] // four UTF-8 bytes
    public void ACharacterOfTwoUnitsWithOneUnitLeft_IsDropped_WithAllThatFollows(string emoji)
    {
        foreach (var byteByByte in new[] { false, true })
        {
            var json = $"{{\"update_id\":5,\"t\":\"{new string('x', MessageText.MaxChars - 1)}{emoji}ab\\n\\u00e9c\"}}";
            using var stream = new JsonStringCapStream(new MemoryStream(Encoding.UTF8.GetBytes(json)), 1 << 30, byteByByte);
            using var doc = JsonDocument.Parse(stream);
            Assert.Equal(new string('x', MessageText.MaxChars - 1) + MessageText.Marker(7), doc.RootElement.GetProperty("t").GetString());
        }
    }

    [Fact]
    public void AStreamDisposed_GivesItsBuffersBack_AndIsReadNoMore()
    {
        // Its two buffers are lent by the shared pool and given back when it is disposed: a read after that would read
        // arrays another stream now writes into, so it throws instead; disposing again gives nothing back twice.
        var json = "{\"ok\":true,\"result\":[{\"update_id\":9,\"message\":{\"text\":\"" + new string('y', 40_000) + "\"}}]}";
        var stream = new JsonStringCapStream(new MemoryStream(Encoding.UTF8.GetBytes(json)), 1 << 30);
        var first = new byte[100];
        Assert.Equal(100, stream.Read(first));
        stream.Dispose();
        stream.Dispose();
        Assert.Throws<ObjectDisposedException>(() => stream.Read(first));
        Assert.Equal(json, Cap(json, out _));
        Assert.Equal(json[..100], Encoding.UTF8.GetString(first));
    }

    [Fact]
    public async Task AStreamDisposedDuringARead_KeepsItsBuffersUntilTheReadEnds()
    {
        // A request cancelled on another thread disposes the answer while a read waits on the socket: the buffer that read
        // fills must not go back to the pool (and to its next renter) before the read is over.
        var inner = new PendingStream();
        var stream = new JsonStringCapStream(inner, 1 << 30);
        var read = stream.ReadAsync(new byte[64]).AsTask();
        var filling = await inner.Reading.Task;
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(filling, out var segment));
        stream.Dispose();
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(segment.Array!.Length);
        Assert.NotSame(segment.Array, rented);
        System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        var answer = "{\"ok\":true}"u8;
        answer.CopyTo(filling.Span);
        inner.Done.SetResult(answer.Length);
        Assert.Equal(answer.Length, await read);
        Assert.True(inner.Disposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => stream.ReadAsync(new byte[64]).AsTask());
    }

    /// <summary>A socket's stream whose read waits until the test gives it its bytes.</summary>
    private sealed class PendingStream : MemoryStream
    {
        public TaskCompletionSource<Memory<byte>> Reading { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Disposed { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Reading.TrySetResult(buffer);
            return new ValueTask<int>(Done.Task);
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    [Fact]
    public void OverTheByteBound_Throws_WithTheFirstUpdateId()
    {
        var json = "{\"ok\":true,\"result\":[{\"update_id\": 77,\"message\":{\"text\":\"" + new string('x', 200_000) + "\"}}]}";
        var e = Assert.Throws<AnswerTooLargeException>(() => Cap(json, out _, maxBytes: 100_000));
        Assert.Equal(77, e.FirstUpdateId);
    }

    [Fact]
    public void ALongStringAfterTheFirstUpdateId_IsCutTheSameWay()
    {
        var text = "\\n\\u00e9😀" + new string('x', MessageText.MaxChars + 100);
        using var doc = JsonDocument.Parse(Cap($"{{\"update_id\":5,\"t\":\"{text}\"}}", out _));
        Assert.Equal("\né😀" + new string('x', MessageText.MaxChars - 4) + MessageText.Marker(104), doc.RootElement.GetProperty("t").GetString());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void RunsGiveTheSameBytesAsByteByByte_WhateverTheTextAndHowItIsRead(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 40; round++)
        {
            var json = RandomAnswer(random);
            var chunks = random.Next(3) switch { 0 => 1, 1 => 7, _ => 20_000 };
            var runs = CapBytes(json, byteByByte: false, new Random(round), chunks);
            var bytes = CapBytes(json, byteByByte: true, new Random(round), chunks);
            Assert.Equal(bytes.Output, runs.Output);
            Assert.Equal(bytes.FirstUpdateId, runs.FirstUpdateId);
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void EveryText_IsCutAsTheRuleSays_WhateverItHoldsAndHowItIsRead(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 30; round++)
        {
            var json = RandomAnswer(random);
            using var source = JsonDocument.Parse(json);
            var expected = source.RootElement.GetProperty("result").EnumerateArray()
                .Select(u => Rule(u.GetProperty("message").GetProperty("text").GetString()!)).ToList();
            foreach (var byteByByte in new[] { false, true })
            {
                var (output, first) = CapBytes(json, byteByByte, new Random(round), random.Next(3) switch { 0 => 1, 1 => 7, _ => 20_000 });
                using var cut = JsonDocument.Parse(output);
                Assert.Equal(expected, cut.RootElement.GetProperty("result").EnumerateArray().Select(u => u.GetProperty("message").GetProperty("text").GetString()!).ToList());
                Assert.Equal(source.RootElement.GetProperty("result")[0].GetProperty("update_id").GetInt64(), first);
            }
        }

        // The first MaxChars UTF-16 units, one fewer rather than half a surrogate pair, then the marker of the rest.
        static string Rule(string text)
        {
            if (text.Length <= MessageText.MaxChars) return text;
            var keep = char.IsHighSurrogate(text[MessageText.MaxChars - 1]) ? MessageText.MaxChars - 1 : MessageText.MaxChars;
            return text[..keep] + MessageText.Marker(text.Length - keep);
        }
    }

    /// <summary>An answer of updates whose strings mix ASCII, two- and four-byte characters and escapes, some past the bound on a string.</summary>
    private static byte[] RandomAnswer(Random random)
    {
        // Each piece with the UTF-16 code units it stands for: lengths are counted in those, so that some texts end past the bound.
        (string Json, int Units)[] pieces = [("a", 1), ("b c", 3), ("Привет", 6), ("😀", 2), ("\\n", 1), ("\\\"", 1), ("\\\\", 1), ("\\u00e9", 1), ("\\ud83d\\ude00", 2), ("\\uD83D\\uDE00", 2), ("é", 1)];
        string[] spaces = ["", " ", "\n\t", "\r\n "];
        string Space() => spaces[random.Next(spaces.Length)];
        var json = new StringBuilder("{\"ok\":true,\"result\":[");
        var updates = random.Next(1, 6);
        for (var u = 0; u < updates; u++)
        {
            if (u > 0) json.Append(',');
            json.Append("{\"update_id\"").Append(Space()).Append(':').Append(Space()).Append(random.Next(1, 1_000_000)).Append(Space())
                .Append(", \"message\":{\"message_id\":").Append(u).Append(",\"text\":\"");
            var length = random.Next(4) == 0 ? MessageText.MaxChars - 50 + random.Next(100) : random.Next(200);
            var units = 0;
            while (units < length)
            {
                var piece = pieces[random.Next(pieces.Length)];
                json.Append(piece.Json);
                units += piece.Units;
            }
            json.Append("\"}}");
        }
        return Encoding.UTF8.GetBytes(json.Append("]}").ToString());
    }

    private static (byte[] Output, long? FirstUpdateId) CapBytes(byte[] json, bool byteByByte, Random chunking, int maxChunk)
    {
        using var stream = new JsonStringCapStream(new ChunkedStream(json, chunking, maxChunk), 1 << 30, byteByByte);
        using var output = new MemoryStream();
        stream.CopyTo(output, 4096);
        return (output.ToArray(), stream.FirstUpdateId);
    }

    /// <summary>Gives its bytes in reads of random sizes up to a bound, as a socket does.</summary>
    private sealed class ChunkedStream(byte[] bytes, Random random, int maxChunk) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, random.Next(1, maxChunk + 1)));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, random.Next(1, maxChunk + 1))]);
    }

    private static string Cap(string json, out JsonStringCapStream stream, long maxBytes = 1 << 30)
    {
        stream = new JsonStringCapStream(new MemoryStream(Encoding.UTF8.GetBytes(json)), maxBytes);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
