using CsCheck;
using Tgwatch.Messages;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Jsonl;

/// <summary>Crash repair, which has only the file, records every key a line may have been written under.</summary>
public sealed class JsonlLineKeyProperties
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void EveryKindOfRecord_ReadsBackWithTheKeyItWasWrittenUnder()
    {
        Gen.Select(Gen.Int[1, 1000], Gen.Int[0, 2], Gen.Int[0, 3_600_000], Gen.Bool, Gen.Bool, Gen.Bool)
            .Select((id, kind, editMs, edited, replyUpdate, resolved) => SomeMessage.New(id, "t") with
            {
                Kind = replyUpdate && kind == (int)MessageKind.Delete ? MessageKind.Edit : (MessageKind)kind, // a deletion has no reply to resolve
                EditDate = edited || replyUpdate ? At.AddMilliseconds(editMs) : null,
                ReplyTo = new ReplyRef(-1001234567890, 1, replyUpdate || resolved ? ReplyState.Resolved : ReplyState.Unresolved, replyUpdate ? "q" : null),
                IsReplyUpdate = replyUpdate,
            })
            .Sample(m =>
            {
                var line = JsonlFixture.Line(m);
                var keys = new List<string>();
                Assert.True(JsonlRepair.TryKeys(line.AsSpan(0, line.Length - 1), keys, out _));
                Assert.Contains(m.Key, keys);
                // Only an edit whose reply is resolved may be a reply update too.
                if (!m.IsReplyUpdate && !(m.Kind == MessageKind.Edit && m.ReplyTo!.State == ReplyState.Resolved)) Assert.Equal([m.Key], keys);
            });
    }
}
