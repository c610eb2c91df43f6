using System.Diagnostics;
using System.Text;
using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Sinks.Webhook;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Webhook;

public sealed class WebhookSinkTests : IDisposable
{
    private const string Secret = "hmac-secret-42";
    private readonly InMemoryStateStore _store = new();
    private readonly TestLogging _logs = new();

    public void Dispose() => _logs.Dispose();

    private static WebhookSinkOptions Fast(Uri url) => new()
    {
        Url = url,
        MinBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
        RequestTimeout = TimeSpan.FromSeconds(5),
        ShutdownTimeout = TimeSpan.FromSeconds(5),
    };

    private async Task<WebhookSink> StartAsync(WebhookSinkOptions options, TimeProvider? time = null)
    {
        var sink = new WebhookSink(options, _store, logger: _logs.For<WebhookSink>(), time: time);
        await sink.StartAsync(CancellationToken.None);
        return sink;
    }

    private long Waiting => _store.Snapshot().OutboxOf("webhook").Count;

    private static IReadOnlyList<string> KeysOf(IEnumerable<TgMessage> messages) => [.. messages.Select(m => m.Key)];

    [Fact]
    public async Task Send_BodyIsMessagesAndKeys_SignedWithTheSecret()
    {
        await using var server = WebhookServer.Start();
        var batch = SomeMessage.Batch(1, 3);
        await using (var sink = await StartAsync(Fast(server.Url) with { Secret = Secret }))
        {
            await sink.WriteAsync(batch, CancellationToken.None);
            await Eventually.TrueAsync(() => server.Delivered.Count == 1, "one delivery");
        }

        var request = Assert.Single(server.Requests);
        Assert.Equal("application/json", request.ContentType);
        Assert.True(request.SignedWith(Secret), $"signature {request.Signature} does not match the body");
        Assert.False(request.SignedWith("other secret"));
        Assert.Equal("/hook", request.PathAndQuery);
        var (messages, keys) = request.Parse();
        Assert.Equal(batch.Select(m => TgMessageJson.ToJson(m)), messages);
        Assert.Equal(KeysOf(batch), keys);
        Assert.StartsWith("{\"messages\":[{\"account\":", Encoding.UTF8.GetString(request.Body));
        Assert.Equal(0, Waiting);
    }

    [Fact]
    public async Task Send_WithoutSecret_HasNoSignature()
    {
        await using var server = WebhookServer.Start();
        await using (var sink = await StartAsync(Fast(server.Url)))
        {
            await sink.WriteAsync(SomeMessage.Batch(1, 1), CancellationToken.None);
            await Eventually.TrueAsync(() => server.Delivered.Count == 1, "one delivery");
        }

        Assert.Null(Assert.Single(server.Requests).Signature);
    }

    [Fact]
    public async Task Write_SameBatchTwice_SentOnce()
    {
        await using var server = WebhookServer.Start();
        var batch = SomeMessage.Batch(1, 4);
        await using (var sink = await StartAsync(Fast(server.Url)))
        {
            await sink.WriteAsync([.. batch, batch[0]], CancellationToken.None);
            await Eventually.TrueAsync(() => sink.Stats.Sent == 4, "four sent");
            await sink.WriteAsync(batch, CancellationToken.None);
            await sink.WriteAsync(batch[2..], CancellationToken.None);
        }

        Assert.Equal(KeysOf(batch), server.DeliveredKeys);
    }

    [Fact]
    public async Task AReceiversInternalServerError_IsItsFailure_AWarning_NotABugOfOurs()
    {
        await using var server = WebhookServer.Start(r => r.Index < 2 ? new WebhookAnswer(500) : WebhookAnswer.Ok);
        await using var sink = await StartAsync(Fast(server.Url));

        await sink.WriteAsync(SomeMessage.Batch(1, 2), CancellationToken.None);
        await Eventually.TrueAsync(() => sink.Stats.Sent == 2, "two sent");

        var failing = Assert.Single(_logs.WithId(3201));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, failing.Level);
        Assert.Null(failing.Exception);
        Assert.Contains("(Network: HTTP 500 Internal Server Error)", failing.Message);
        Assert.Matches(@"again after 2 failed attempts over (\d+ms|\d\.\ds)$", Assert.Single(_logs.WithId(3203)).Message);
    }

    [Fact]
    public async Task Send_503ThenSuccess_DeliveredOnceOutboxEmpty()
    {
        await using var server = WebhookServer.Start(r => r.Index < 2 ? new WebhookAnswer(503) : WebhookAnswer.Ok);
        var batch = SomeMessage.Batch(1, 3);
        await using var sink = await StartAsync(Fast(server.Url));

        await sink.WriteAsync(batch, CancellationToken.None);
        await Eventually.TrueAsync(() => sink.Stats.Sent == 3, "three sent");

        Assert.Equal([503, 503, 200], server.Requests.Select(r => r.Status));
        Assert.Equal(KeysOf(batch), server.DeliveredKeys);
        Assert.Equal(0, Waiting);
        Assert.Equal((3L, 2L, 0L, 0L, false), (sink.Stats.Sent, sink.Stats.FailedAttempts, sink.Stats.DeadLettered, sink.Stats.Pending, sink.Stats.Failing));
        Assert.Single(_logs.WithId(3201));
        Assert.Single(_logs.WithId(3203));
    }

    [Fact]
    public async Task Send_TheSameBatchAgain_CarriesTheSameIdempotencyKey_AnotherBatchAnother()
    {
        // An endpoint slower than the request timeout: the first answer comes only after the test, so the batch goes again. The
        // others come at once, well within the 5 s request timeout on a loaded machine too: exactly three requests.
        await using var server = WebhookServer.Start(r => r.Index == 0 ? WebhookAnswer.Ok with { Delay = TimeSpan.FromMinutes(5) } : WebhookAnswer.Ok);
        var first = SomeMessage.Batch(1, 3);
        var second = SomeMessage.Batch(4, 2);
        await using (var sink = await StartAsync(Fast(server.Url)))
        {
            await sink.WriteAsync(first, CancellationToken.None);
            await Eventually.TrueAsync(() => sink.Stats.Sent == 3, "the first batch sent");
            await sink.WriteAsync(second, CancellationToken.None);
            await Eventually.TrueAsync(() => sink.Stats.Sent == 5, "the second batch sent");
        }

        var requests = server.Requests;
        Assert.Equal(3, requests.Count);
        Assert.Equal(KeysOf(first), requests[0].Keys);
        Assert.Equal(KeysOf(first), requests[1].Keys);
        Assert.Equal(KeysOf(second), requests[2].Keys);
        var expected = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(KeysOf(first).Select(k => k + "\n")))));
        Assert.Equal(expected, requests[0].IdempotencyKey);
        Assert.Equal(expected, requests[1].IdempotencyKey);
        Assert.NotEqual(expected, requests[2].IdempotencyKey);
        Assert.Matches("^[0-9a-f]{64}$", requests[2].IdempotencyKey);
        Assert.Contains("Timeout", Assert.Single(_logs.WithId(3201)).Message);
    }

    [Fact]
    public async Task Send_429WithRetryAfter_WaitsWhatTheServerAsks()
    {
        // A request's time-out (an hour) is a timer too: only the shorter ones are the waits between attempts.
        var time = new SteppedClock(SomeMessage.Date) { Steps = due => due < TimeSpan.FromHours(1) };
        await using var server = WebhookServer.Start(r => r.Index == 0 ? new WebhookAnswer(429, "120") : WebhookAnswer.Ok);
        var options = Fast(server.Url) with { MaxBackoff = TimeSpan.FromSeconds(30), MinBackoff = TimeSpan.FromSeconds(1), RequestTimeout = TimeSpan.FromHours(1) };
        await using var sink = await StartAsync(options, time);

        await sink.WriteAsync(SomeMessage.Batch(1, 2), CancellationToken.None);
        // The clock moves once the wait after the refusal is on it: the failed attempt is counted just before that wait
        // starts, and a clock moved in between would leave the wait starting late, measured longer than it is.
        var waited = await time.NextWaitAsync();
        Assert.Equal(1, sink.Stats.FailedAttempts);
        Assert.Single(server.Requests);
        time.Advance(waited);
        await Eventually.TrueAsync(() => sink.Stats.Sent == 2, "two sent");

        Assert.InRange(waited, TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(150));
        Assert.Equal(0, Waiting);
        Assert.Contains("RateLimited", Assert.Single(_logs.WithId(3201)).Message);
    }

    [Fact]
    public async Task Send_EndpointDownThenUp_EverythingDeliveredInOrderNothingLost()
    {
        var port = WebhookServer.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/hook");
        var batches = new[] { SomeMessage.Batch(1, 3), SomeMessage.Batch(4, 5), SomeMessage.Batch(9, 2) };
        await using var sink = await StartAsync(Fast(url) with { BatchSize = 4 });

        foreach (var batch in batches) await sink.WriteAsync(batch, CancellationToken.None);
        await Eventually.TrueAsync(() => sink.Stats.FailedAttempts >= 5, "five failed attempts");
        Assert.Equal(10, sink.Stats.Pending);
        Assert.True(sink.Stats.Failing);
        await sink.WriteAsync(SomeMessage.Batch(11, 1), CancellationToken.None);

        await using var server = WebhookServer.Start(port: port);
        await Eventually.TrueAsync(() => sink.Stats.Sent == 11, "eleven sent");

        Assert.Equal(KeysOf([.. batches.SelectMany(b => b), .. SomeMessage.Batch(11, 1)]), server.DeliveredKeys);
        Assert.All(server.Requests, r => Assert.InRange(r.Keys.Count, 1, 4));
        Assert.Equal(0, Waiting);
        Assert.False(sink.Stats.Failing);
        var failing = Assert.Single(_logs.WithId(3201));
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, failing.Level);
        Assert.Contains("Network", failing.Message);
        Assert.Single(_logs.WithId(3203));
    }

    [Fact]
    public async Task Send_400_DeadLettersThatBatchAndDeliversTheOthers()
    {
        var poison = SomeMessage.New(666, "poison");
        await using var server = WebhookServer.Start(r => r.Keys.Contains(poison.Key) ? new WebhookAnswer(400) : WebhookAnswer.Ok);
        var before = SomeMessage.Batch(1, 2);
        var after = SomeMessage.Batch(3, 2);
        await using var sink = await StartAsync(Fast(server.Url) with { BatchSize = 1 });

        await sink.WriteAsync([.. before, poison, .. after], CancellationToken.None);
        await Eventually.TrueAsync(() => sink.Stats.Sent == 4 && sink.Stats.DeadLettered == 1, "four sent, one dead");

        Assert.Equal(KeysOf([.. before, .. after]), server.DeliveredKeys);
        var letter = Assert.Single(_store.Snapshot().DeadLetters).Letter;
        Assert.Equal("sink:webhook", letter.Stage);
        Assert.Equal(poison.Key, letter.Key);
        Assert.Equal(poison, TgMessageJson.Parse(letter.MessageJson));
        Assert.Equal(FaultKind.Bug, letter.Fault);
        Assert.Contains("400", letter.Error);
        Assert.Equal(0, Waiting);
        var error = Assert.Single(_logs.WithId(3204));
        Assert.Contains("HTTP 400", error.Message);
        Assert.Equal(0, sink.Stats.FailedAttempts);
    }

    [Fact]
    public async Task Send_400ToABatch_DeadLettersOnlyTheRecordTheEndpointRejects_AndDeliversItsNeighboursInOrder()
    {
        var poison = SomeMessage.New(666, "poison");
        await using var server = WebhookServer.Start(r => r.Keys.Contains(poison.Key) ? new WebhookAnswer(400) : WebhookAnswer.Ok);
        var before = SomeMessage.Batch(1, 2);
        var after = SomeMessage.Batch(3, 2);
        await using var sink = await StartAsync(Fast(server.Url)); // one request can carry them all

        await sink.WriteAsync([.. before, poison, .. after], CancellationToken.None);
        await Eventually.TrueAsync(() => sink.Stats.Sent + sink.Stats.DeadLettered == 5, "every record sent or dead");

        Assert.Equal(KeysOf([.. before, .. after]), server.DeliveredKeys);
        Assert.Equal([poison.Key], _store.Snapshot().DeadLetters.Select(l => l.Letter.Key));
        Assert.Equal(0, Waiting);
    }

    [Fact]
    public async Task Send_403ToEverything_IsTheEndpoint_NothingDeadLettered_OneErrorLine_AllDeliveredOnceItAccepts()
    {
        var accept = false;
        await using var server = WebhookServer.Start(_ => Volatile.Read(ref accept) ? WebhookAnswer.Ok : new WebhookAnswer(403));
        var batch = SomeMessage.Batch(1, 12);
        await using var sink = await StartAsync(Fast(server.Url) with { BatchSize = 5 });

        await sink.WriteAsync(batch, CancellationToken.None);
        await Eventually.TrueAsync(() => sink.Stats.FailedAttempts >= 6, "six failed attempts");

        Assert.Equal(0, sink.Stats.DeadLettered);
        Assert.Empty(_store.Snapshot().DeadLetters);
        Assert.Equal(12, Waiting);
        Assert.True(sink.Stats.Failing);
        var error = Assert.Single(_logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal(3210, error.EventId.Id);
        Assert.Contains("HTTP 403", error.Message);
        Assert.Contains("nothing goes to dead letters", error.Message);

        Volatile.Write(ref accept, true);
        await Eventually.TrueAsync(() => sink.Stats.Sent == 12, "twelve sent");
        Assert.Equal(KeysOf(batch), server.DeliveredKeys);
        Assert.Single(_logs.WithId(3203));
        Assert.Empty(_logs.WithId(3204));
    }

    [Fact]
    public async Task Send_400ToEveryRecord_IsTheEndpoint_NothingDeadLettered_NotSentOneByOneAgainAndAgain()
    {
        var accept = false;
        await using var server = WebhookServer.Start(_ => Volatile.Read(ref accept) ? WebhookAnswer.Ok : new WebhookAnswer(400));
        var batch = SomeMessage.Batch(1, 10);
        await using var sink = await StartAsync(Fast(server.Url));

        await sink.WriteAsync(batch, CancellationToken.None);
        await Eventually.TrueAsync(() => sink.Stats.FailedAttempts >= 5, "five failed attempts");

        Assert.Equal(0, sink.Stats.DeadLettered);
        Assert.Equal(10, Waiting);
        var error = Assert.Single(_logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal(3211, error.EventId.Id);
        Assert.Contains("HTTP 400", error.Message);
        Assert.Contains("10 records", error.Message);
        // The batch, each record alone once, then one record per attempt while everything is refused.
        var failed = sink.Stats.FailedAttempts;
        Assert.InRange(server.Requests.Count, 11 + failed - 1, 11 + failed + 1);

        Volatile.Write(ref accept, true);
        await Eventually.TrueAsync(() => sink.Stats.Sent == 10, "ten sent");
        Assert.Equal(KeysOf(batch), server.DeliveredKeys);
        Assert.Empty(_store.Snapshot().DeadLetters);
    }

    [Fact]
    public async Task Send_400ToSomeRecordsOfABatch_DeadLettersThem_WithOneLineAndTheCount()
    {
        var batch = SomeMessage.Batch(1, 10);
        var poison = new HashSet<string>([batch[2].Key, batch[5].Key, batch[6].Key]);
        await using var server = WebhookServer.Start(r => r.Keys.Any(poison.Contains) ? new WebhookAnswer(400) : WebhookAnswer.Ok);
        await using var sink = await StartAsync(Fast(server.Url));

        await sink.WriteAsync(batch, CancellationToken.None);
        await Eventually.TrueAsync(() => sink.Stats.Sent + sink.Stats.DeadLettered == 10, "every record sent or dead");

        Assert.Equal(KeysOf(batch.Where(m => !poison.Contains(m.Key))), server.DeliveredKeys);
        Assert.Equal(poison.Order(), _store.Snapshot().DeadLetters.Select(l => l.Letter.Key).Order());
        var line = Assert.Single(_logs.WithId(3204));
        Assert.Contains("refused 3 of 10 records", line.Message);
        Assert.Single(_logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
        Assert.Equal(0, sink.Stats.FailedAttempts);
    }

    [Fact]
    public async Task Send_ALoneRecordRefused_WaitsForTheNextRecord_ThenOnlyItIsDeadLettered()
    {
        var poison = SomeMessage.New(666, "poison");
        await using var server = WebhookServer.Start(r => r.Keys.Contains(poison.Key) ? new WebhookAnswer(422) : WebhookAnswer.Ok);
        await using var sink = await StartAsync(Fast(server.Url));

        await sink.WriteAsync([poison], CancellationToken.None);
        await Eventually.TrueAsync(() => sink.Stats.FailedAttempts >= 2, "two failed attempts");
        Assert.Equal(0, sink.Stats.DeadLettered);
        var next = SomeMessage.Batch(1, 2);
        await sink.WriteAsync(next, CancellationToken.None);
        await Eventually.TrueAsync(() => sink.Stats.Sent == 2 && sink.Stats.DeadLettered == 1, "two sent, one dead");

        Assert.Equal(KeysOf(next), server.DeliveredKeys);
        Assert.Equal(poison.Key, Assert.Single(_store.Snapshot().DeadLetters).Letter.Key);
        Assert.Single(_logs.WithId(3211));
        Assert.Single(_logs.WithId(3204));
        Assert.Equal(0, Waiting);
    }

    [Fact]
    public async Task ADeadLetterReplayed_IsSentAgain_AlthoughTheOutboxHadItsKey()
    {
        var poison = SomeMessage.New(666, "poison");
        var accept = false;
        await using var server = WebhookServer.Start(r => r.Keys.Contains(poison.Key) && !Volatile.Read(ref accept) ? new WebhookAnswer(400) : WebhookAnswer.Ok);
        await using var sink = await StartAsync(Fast(server.Url) with { BatchSize = 1 });
        await sink.WriteAsync([poison, SomeMessage.New(1, "fine")], CancellationToken.None);
        await Eventually.TrueAsync(() => sink.Stats.DeadLettered == 1, "one dead letter");

        await sink.WriteAsync([poison], CancellationToken.None); // an ordinary write of the same key: refused
        Volatile.Write(ref accept, true);
        var report = await new Tgwatch.Pipeline.DeadLetterReplayer(_store, [sink], []).ReplayAsync(null, CancellationToken.None);

        Assert.Equal(1, report.Replayed);
        await Eventually.TrueAsync(() => sink.Stats.Sent == 2, "the replayed record sent");
        Assert.Equal([SomeMessage.New(1, "fine").Key, poison.Key], server.DeliveredKeys);
        Assert.Empty(_store.Snapshot().DeadLetters);
    }

    [Fact]
    public async Task Send_413_SendsFewerPerRequestWithoutLosingAny()
    {
        await using var server = WebhookServer.Start(r => r.Keys.Count > 2 ? new WebhookAnswer(413) : WebhookAnswer.Ok);
        var batch = SomeMessage.Batch(1, 7);
        await using var sink = await StartAsync(Fast(server.Url) with { BatchSize = 8 });

        await sink.WriteAsync(batch, CancellationToken.None);
        await Eventually.TrueAsync(() => sink.Stats.Sent == 7, "seven sent");

        Assert.Equal(KeysOf(batch), server.DeliveredKeys);
        Assert.Empty(_store.Snapshot().DeadLetters);
        Assert.Equal(2, _logs.WithId(3205).Count); // 7 → 3 → 1
    }

    [Fact]
    public async Task Dispose_WhileEndpointDown_RecordsStayAndTheNextInstanceSendsThem()
    {
        var port = WebhookServer.FreePort();
        var url = new Uri($"http://127.0.0.1:{port}/hook");
        var batch = SomeMessage.Batch(1, 5);
        var sink = await StartAsync(Fast(url));
        await sink.WriteAsync(batch, CancellationToken.None);
        await Eventually.TrueAsync(() => sink.Stats.FailedAttempts >= 2, "two failed attempts");

        var clock = Stopwatch.StartNew();
        await sink.DisposeAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"dispose took {clock.Elapsed}");
        Assert.Equal(KeysOf(batch), _store.Snapshot().OutboxOf("webhook").Select(e => e.Key));
        Assert.Single(_logs.WithId(3207));

        await using var server = WebhookServer.Start(port: port);
        await using (var next = await StartAsync(Fast(url)))
        {
            Assert.Equal(5, next.Stats.Pending);
            await Eventually.TrueAsync(() => next.Stats.Sent == 5, "five sent by the next instance");
        }

        Assert.Equal(KeysOf(batch), server.DeliveredKeys);
        Assert.Equal(0, Waiting);
    }

    [Fact]
    public async Task Dispose_WhileEndpointUp_SendsWhatIsQueuedFirst()
    {
        await using var server = WebhookServer.Start();
        var batch = SomeMessage.Batch(1, 50);
        await using (var sink = await StartAsync(Fast(server.Url) with { BatchSize = 5 }))
            await sink.WriteAsync(batch, CancellationToken.None);

        Assert.Equal(KeysOf(batch), server.DeliveredKeys);
        Assert.Equal(0, Waiting);
    }

    [Fact]
    public async Task Logs_NeverShowUserInfoOrQueryOfTheUrl()
    {
        await using var server = WebhookServer.Start(r => r.Index switch { 0 => new WebhookAnswer(503), 1 => new WebhookAnswer(500), _ => new WebhookAnswer(401) });
        var url = new Uri($"http://hookuser:pa55word@127.0.0.1:{server.Port}/hook/path?token=s3cr3t-token#frag");
        await using (var sink = await StartAsync(Fast(url)))
        {
            await sink.WriteAsync(SomeMessage.Batch(1, 1), CancellationToken.None);
            await Eventually.TrueAsync(() => sink.Stats.FailedAttempts >= 5, "five failed attempts");
        }
        Assert.Contains("HTTP 401", Assert.Single(_logs.WithId(3210)).Message);
        var closed = new Uri($"http://hookuser:pa55word@127.0.0.1:{WebhookServer.FreePort()}/x?token=s3cr3t-token");
        await using (var sink = await StartAsync(Fast(closed) with { Name = "down" }))
        {
            await sink.WriteAsync(SomeMessage.Batch(2, 1), CancellationToken.None);
            await Eventually.TrueAsync(() => sink.Stats.FailedAttempts >= 2, "two failed attempts");
        }

        var logged = _logs.AllText + string.Join("\n", _store.Snapshot().DeadLetters.Select(d => d.Letter.Error));
        Assert.Contains($"http://127.0.0.1:{server.Port}/…", logged);
        Assert.DoesNotContain("/hook/path", logged);
        Assert.DoesNotContain("pa55word", logged);
        Assert.DoesNotContain("hookuser", logged);
        Assert.DoesNotContain("s3cr3t", logged);
        Assert.DoesNotContain("frag", logged);
        // The endpoint still gets them: the query in the address, the user info as basic authentication.
        var request = server.Requests[0];
        Assert.Equal("/hook/path?token=s3cr3t-token", request.PathAndQuery);
        Assert.Equal("Basic " + Convert.ToBase64String("hookuser:pa55word"u8), request.Authorization);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, _logs.WithId(3201)[0].Level);
    }

    [Fact]
    public async Task Start_LeftoversOfAnEarlierRun_AreSentFirst()
    {
        var old = SomeMessage.Batch(1, 2);
        await _store.Outbox.EnqueueAsync("webhook", [.. old.Select(m => new Tgwatch.Storage.OutboxItem(m.Key, TgMessageJson.ToUtf8(m)))], CancellationToken.None);
        await using var server = WebhookServer.Start();

        await using (var sink = await StartAsync(Fast(server.Url)))
        {
            await sink.WriteAsync(SomeMessage.Batch(3, 1), CancellationToken.None);
            await Eventually.TrueAsync(() => sink.Stats.Sent == 3, "three sent");
        }

        Assert.Equal(KeysOf([.. old, .. SomeMessage.Batch(3, 1)]), server.DeliveredKeys);
    }

    [Fact]
    public async Task Send_InvalidQueuedRecord_IsDeadLetteredAlone()
    {
        await _store.Outbox.EnqueueAsync("webhook", [new Tgwatch.Storage.OutboxItem("bad", "{\"broken\":"u8.ToArray())], CancellationToken.None);
        await using var server = WebhookServer.Start();

        await using (var sink = await StartAsync(Fast(server.Url)))
        {
            await sink.WriteAsync(SomeMessage.Batch(1, 1), CancellationToken.None);
            await Eventually.TrueAsync(() => sink.Stats.Sent == 1, "one sent");
        }

        Assert.Equal(KeysOf(SomeMessage.Batch(1, 1)), server.DeliveredKeys);
        Assert.Equal("bad", Assert.Single(_store.Snapshot().DeadLetters).Letter.Key);
    }

    [Fact]
    public async Task Write_BeforeStart_Throws()
    {
        await using var sink = new WebhookSink(Fast(new Uri("http://127.0.0.1:9/")), _store);

        await Assert.ThrowsAsync<InvalidOperationException>(() => sink.WriteAsync(SomeMessage.Batch(1, 1), CancellationToken.None).AsTask());
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/x", 100, 1, 30, "Url")]
    [InlineData("/relative", 100, 1, 30, "Url")]
    [InlineData("http://127.0.0.1/x", 0, 1, 30, "BatchSize")]
    [InlineData("http://127.0.0.1/x", 100, 0, 30, "MinBackoff")]
    [InlineData("http://127.0.0.1/x", 100, 10, 5, "MaxBackoff")]
    public void Options_Invalid_ThrowNamingTheOption(string url, int batch, int baseSeconds, int maxSeconds, string option)
    {
        var options = new WebhookSinkOptions
        {
            Url = new Uri(url, UriKind.RelativeOrAbsolute),
            BatchSize = batch,
            MinBackoff = TimeSpan.FromSeconds(baseSeconds),
            MaxBackoff = TimeSpan.FromSeconds(maxSeconds),
        };

        var e = Assert.Throws<ArgumentException>(() => new WebhookSink(options, _store));
        Assert.StartsWith("WebhookSinkOptions." + option, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Options_Defaults_AreDocumentedValues()
    {
        var options = new WebhookSinkOptions { Url = new Uri("https://example.invalid/") };

        Assert.Equal(("webhook", 100, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)),
            (options.Name, options.BatchSize, options.MaxBackoff, options.MinBackoff, options.RequestTimeout));
        Assert.Same(options, options.Validate());
    }
}
