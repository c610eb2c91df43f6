using CsCheck;
using Tgwatch.Messages;

namespace Tgwatch.Sinks.Tests.Sqlite;

/// <summary>Whatever the batches and their repeats: one row per key, holding the last write of that key.</summary>
public sealed class SqliteMessageSinkProperties
{
    private static readonly Gen<TgMessage> AnyMessage =
        Gen.Select(Gen.OneOf(-100L, 5L), Gen.Int[1, 8], Gen.Int[0, 2], Gen.OneOf("a", "b", "ccc", "ünï 😀", "quote \" and \\ and\nnewline"),
                   Gen.Int[0, 2], Gen.Bool, Gen.OneOf("Group", "Renamed group"))
           .Select((chat, id, edit, text, reply, forwarded, title) => Msg.New(chat, id, text) with
           {
               Chat = new ChatInfo(chat, "group", title),
               Kind = edit == 0 ? MessageKind.New : MessageKind.Edit,
               EditDate = edit == 0 ? null : TempSink.Now.AddSeconds(edit),
               ReplyTo = reply switch
               {
                   0 => null,
                   1 => Msg.Unresolved(chat, 1),
                   _ => new ReplyRef(chat, 1, ReplyState.Resolved, "first"),
               },
               Forward = forwarded ? new ForwardInfo("user", 77, text) : null,
           });

    [Fact]
    public async Task RandomBatchesWithRepeats_OneRowPerKey_HoldingTheLastWrite()
    {
        await AnyMessage.Array[1, 25].Array[1, 6].SampleAsync(async batches =>
        {
            await using var t = new TempSink();
            var expected = new Dictionary<string, TgMessage>(StringComparer.Ordinal);
            foreach (var batch in batches)
            {
                await t.Sink.WriteAsync(batch, default);
                foreach (var m in batch)
                {
                    // A redelivery never undoes a resolved reply; otherwise the last write wins.
                    if (expected.TryGetValue(m.Key, out var had) && had.ReplyTo?.State == ReplyState.Resolved && m.ReplyTo?.State == ReplyState.Unresolved) continue;
                    expected[m.Key] = m;
                }
            }

            var rows = t.Rows();
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), rows.Select(r => (string)r["key"]!).Order(StringComparer.Ordinal));
            foreach (var row in rows)
            {
                var m = expected[(string)row["key"]!];
                Assert.Equal(TgMessageJson.ToJson(m), row["json"]);
                Assert.Equal((m.Text, m.Chat.Title, m.ReplyTo?.Text), (row["text"], row["chat_title"], row["reply_text"]));
                Assert.Equal(m.Forward?.Name, row["forward_json"] is string f ? System.Text.Json.JsonDocument.Parse(f).RootElement.GetProperty("name").GetString() : null);
            }
        }, iter: 60, threads: 1);
    }
}
