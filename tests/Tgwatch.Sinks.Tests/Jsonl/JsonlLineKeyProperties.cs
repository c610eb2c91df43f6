using CsCheck;
using Tgwatch.Messages;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Jsonl;

/// <summary>The ledger key of a message is the key its line gives back, so crash repair (which has only the file) records the same key.</summary>
public sealed class JsonlLineKeyProperties
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void EveryKindOfRecord_ReadsBackWithTheKeyTheLedgerHolds()
    {
        Gen.Select(Gen.Int[1, 1000], Gen.Int[0, 2], Gen.Int[0, 3_600_000], Gen.Bool, Gen.Bool)
            .Select((id, kind, editMs, edited, replyUpdate) => SomeMessage.New(id, "t") with
            {
                Kind = (MessageKind)kind,
                EditDate = edited || replyUpdate ? At.AddMilliseconds(editMs) : null,
                ReplyTo = new ReplyRef(-1001234567890, 1, replyUpdate ? ReplyState.Resolved : ReplyState.Unresolved, replyUpdate ? "q" : null),
                IsReplyUpdate = replyUpdate,
            })
            .Sample(m => Assert.Equal(JsonlSink.LineKey(m), TgMessageJson.Parse(JsonlFixture.Line(m).AsSpan(0, JsonlFixture.Line(m).Length - 1)).Key));
    }
}
