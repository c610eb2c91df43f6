using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Native;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Bench;

/// <summary>
/// The TDLib binding's cost: a <c>td_execute</c> round trip through <see cref="TdJsonLibrary.Execute"/> (JSON object in,
/// parsed answer out) against the bare native call on pre-encoded bytes in the same run; and updates per second through
/// JSON parsing and mapping to the model, against parsing alone. Run it in a loopback-only namespace like every TDLib
/// program (td_execute opens no connection, but the rule has no exceptions).
/// </summary>
internal static class TdlibThroughput
{
    private const string EntitiesText = "@telegram /test_command https://telegram.org telegram.me @gif @test #tag $USD bot@example.com";

    public static unsafe int Run(string[] args)
    {
        var calls = Arg(args, "--calls", 200_000);
        var updates = Arg(args, "--updates", 500_000);
        TdJsonLibrary.Load();
        var handle = NativeLibrary.Load(TdJsonLibrary.LoadedPath!);
        var execute = (delegate* unmanaged[Cdecl]<byte*, byte*>)NativeLibrary.GetExport(handle, "td_execute");
        TdJsonLibrary.ExecuteChecked(new SetLogVerbosityLevel(0));

        Console.WriteLine($"td_execute round trips ({calls:N0} calls each, best of 5):");
        foreach (var request in new TdFunction[]
        {
            new GetTextEntities(EntitiesText),
            new ParseTextEntities("*bold* _italic_ `code` [link](https://example.com)", new TextParseModeMarkdown(2)),
            new GetOption("version"),
        })
        {
            var name = request.TypeName;
            var text = Encoding.UTF8.GetBytes(request.ToJson());
            var bytes = Encoding.UTF8.GetBytes(request.ToJson() + "\0");
            var raw = Best(() =>
            {
                fixed (byte* p = bytes)
                {
                    var sum = 0L;
                    for (var i = 0; i < calls; i++) sum += MemoryMarshal.CreateReadOnlySpanFromNullTerminated(execute(p)).Length;
                    return sum;
                }
            });
            var binding = Best(() =>
            {
                var sum = 0L;
                for (var i = 0; i < calls; i++) sum += TdJsonLibrary.ExecuteUtf8(text)!.Length;
                return sum;
            });
            var ours = Best(() =>
            {
                var sum = 0L;
                for (var i = 0; i < calls; i++) sum += TdJsonLibrary.Execute(request).GetPropertyCount();
                return sum;
            });
            Console.WriteLine($"  {name,-18} raw call {raw.TotalNanoseconds / calls,6:N0} ns; binding (UTF-8 in, answer copied out) {binding.TotalNanoseconds / calls,6:N0} ns = {binding / raw:F2}x; " +
                $"Execute (typed request in, JsonElement out) {ours.TotalNanoseconds / calls,6:N0} ns = {ours / raw:F2}x");
        }

        var samples = Samples(updates);
        var reader = new TdUpdateReader("user1");
        foreach (var s in Samples(64)) reader.Read(Parse(s)); // directory warm
        var parseOnly = Best(() =>
        {
            var sum = 0L;
            foreach (var s in samples)
            {
                using var doc = JsonDocument.Parse(s);
                sum += doc.RootElement.GetPropertyCount();
            }
            return sum;
        });
        var mapped = Best(() =>
        {
            var sum = 0L;
            foreach (var s in samples)
            {
                using var doc = JsonDocument.Parse(s);
                if (reader.Read(doc.RootElement) is TdNewMessage m) sum += m.Message.Message.MessageId;
            }
            return sum;
        });
        Console.WriteLine($"updates ({updates:N0} updateNewMessage of {samples.Sum(s => s.Length) / samples.Length} bytes on average, best of 5): " +
            $"parse only {updates / parseOnly.TotalSeconds:N0}/s, parse + read + map {updates / mapped.TotalSeconds:N0}/s ({mapped / parseOnly:F2}x parse alone)");
        return 0;
    }

    private static JsonElement Parse(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static TimeSpan Best(Func<long> body)
    {
        var best = TimeSpan.MaxValue;
        body(); // warm
        for (var round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            GC.KeepAlive(body());
            if (clock.Elapsed < best) best = clock.Elapsed;
        }
        return best;
    }

    /// <summary>updateNewMessage objects as TDLib 1.8.65 sends them: text, captioned photos, replies and forwards in channels and groups.</summary>
    private static byte[][] Samples(int count)
    {
        var result = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var chat = -1001000000000 - i % 50;
            var content = (i % 4) switch
            {
                0 or 1 => new JsonObject { ["@type"] = "messageText", ["text"] = Formatted($"message {i}: the quick brown fox jumps over the lazy dog") },
                2 => new JsonObject
                {
                    ["@type"] = "messagePhoto",
                    ["photo"] = new JsonObject
                    {
                        ["@type"] = "photo", ["has_stickers"] = false,
                        ["sizes"] = new JsonArray(new JsonObject { ["@type"] = "photoSize", ["type"] = "x", ["width"] = 800, ["height"] = 600, ["progressive_sizes"] = new JsonArray() }),
                    },
                    ["caption"] = Formatted($"photo {i}"),
                    ["show_caption_above_media"] = false, ["has_spoiler"] = false, ["is_secret"] = false,
                },
                _ => new JsonObject { ["@type"] = "messageText", ["text"] = Formatted($"reply {i}") },
            };
            var message = new JsonObject
            {
                ["@type"] = "message",
                ["id"] = TdMessageIds.FromServerId(i + 1),
                ["sender_id"] = i % 3 == 0
                    ? new JsonObject { ["@type"] = "messageSenderChat", ["chat_id"] = chat }
                    : new JsonObject { ["@type"] = "messageSenderUser", ["user_id"] = 1000 + i % 200 },
                ["chat_id"] = chat,
                ["is_outgoing"] = false, ["is_pinned"] = false, ["is_from_offline"] = false, ["can_be_saved"] = true,
                ["has_timestamped_media"] = true, ["is_channel_post"] = i % 3 == 0, ["contains_unread_mention"] = false,
                ["date"] = 1_700_000_000 + i, ["edit_date"] = 0,
                ["unread_reactions"] = new JsonArray(),
                ["message_thread_id"] = 0, ["self_destruct_in"] = 0.0, ["auto_delete_in"] = 0.0, ["via_bot_user_id"] = 0,
                ["sender_business_bot_user_id"] = 0, ["sender_boost_count"] = 0, ["paid_message_star_count"] = 0,
                ["author_signature"] = "", ["media_album_id"] = "0", ["effect_id"] = "0", ["restriction_reason"] = "",
                ["content"] = content,
            };
            if (i % 4 == 3)
                message["reply_to"] = new JsonObject { ["@type"] = "messageReplyToMessage", ["chat_id"] = chat, ["message_id"] = TdMessageIds.FromServerId(i), ["origin_send_date"] = 0 };
            if (i % 10 == 5)
                message["forward_info"] = new JsonObject
                {
                    ["@type"] = "messageForwardInfo",
                    ["origin"] = new JsonObject { ["@type"] = "messageOriginChannel", ["chat_id"] = -1002000000000, ["message_id"] = TdMessageIds.FromServerId(77), ["author_signature"] = "" },
                    ["date"] = 1_699_000_000, ["public_service_announcement_type"] = "",
                };
            result[i] = Encoding.UTF8.GetBytes(new JsonObject { ["@type"] = "updateNewMessage", ["message"] = message, ["@client_id"] = 1 }.ToJsonString());
        }
        return result;
    }

    private static JsonObject Formatted(string text) => new() { ["@type"] = "formattedText", ["text"] = text, ["entities"] = new JsonArray() };

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }
}
