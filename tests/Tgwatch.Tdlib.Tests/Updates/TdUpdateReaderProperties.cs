using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Updates;
using static Tgwatch.Tdlib.Tests.Updates.Fixture;

namespace Tgwatch.Tdlib.Tests.Updates;

/// <summary>
/// The reader over generated garbage: it never throws, counts exactly the malformed updates, and still maps
/// a valid update afterwards.
/// </summary>
public sealed class TdUpdateReaderProperties
{
    private static readonly JsonDocumentOptions Deep = new() { MaxDepth = 100_000 };

    private static readonly string[] UpdateFixtures =
    [
        "updateNewMessage.text.json", "updateNewMessage.photo_caption.json", "updateNewMessage.reply.json",
        "updateNewMessage.reply_to_other_chat.json", "updateNewMessage.forward_channel.json", "updateNewMessage.forward_user.json",
        "updateNewMessage.forward_hidden_user.json", "updateNewMessage.forward_chat.json", "updateNewMessage.outgoing_pending.json",
        "updateMessageSendSucceeded.json", "updateMessageEdited.json", "updateMessageContent.json",
        "updateDeleteMessages.permanent.json", "updateDeleteMessages.from_cache.json", "updateConnectionState.all.json",
        "updateAuthorizationState.waitPhoneNumber.json", "updateUser.json", "updateNewChat.private.json",
        "updateNewChat.channel.json", "updateNewChat.secret.json", "updateSupergroup.json", "updateChatTitle.json",
        "updateUserStatus.json",
    ];

    private static readonly string[] TypeNames =
    [
        "updateNewMessage", "updateMessageSendSucceeded", "updateMessageEdited", "updateMessageContent", "updateDeleteMessages",
        "updateConnectionState", "updateAuthorizationState", "updateUser", "updateNewChat", "updateChatTitle", "updateSupergroup",
        "message", "messageText", "messagePhoto", "formattedText", "messageSenderUser", "messageSenderChat", "messageOriginUser",
        "messageOriginChannel", "messageReplyToMessage", "chat", "chatTypePrivate", "chatTypeSupergroup", "user", "usernames",
        "connectionStateReady", "error", "", "updateSomethingNew", "Update", "updateNewMessage ",
    ];

    private static readonly string[] Keys =
    [
        "@type", "message", "id", "chat_id", "sender_id", "content", "text", "date", "edit_date", "user", "chat", "type", "title",
        "state", "message_ids", "is_permanent", "from_cache", "new_content", "usernames", "active_usernames", "supergroup",
        "first_name", "last_name", "user_id", "is_channel", "origin", "forward_info", "reply_to", "message_id", "caption",
        "media_album_id", "sending_state", "authorization_state", "@extra",
    ];

    private static readonly string[] Scalars =
    [
        "0", "-1", "1", "2147483648", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "1e400", "-0.5",
        "123456789012345678901234567890", "\"123\"", "\"12a\"", "\"\"", "\"-\"", "\"99999999999999999999\"", "true", "false", "null",
        "\"\\u0000\"", "\"\\ud83d\\ude00\"",
    ];

    private static readonly Gen<string> Scalar = Gen.OneOf(
        Gen.OneOf(Scalars),
        Gen.OneOf(TypeNames).Select(t => JsonSerializer.Serialize(t)),
        Gen.String.Select(s => JsonSerializer.Serialize(s)),
        Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Any JSON value, at most a few levels deep, with TDLib-like keys and type names.</summary>
    private static readonly Gen<string> AnyJson = Gen.Recursive<string>((depth, inner) => depth >= 4
        ? Scalar
        : Gen.Frequency(
            (3, Scalar),
            (2, Gen.Select(Gen.OneOf(Gen.OneOf(Keys), Gen.String), inner).Array[0, 5]
                .Select(props => "{" + string.Join(",", props.Select(p => JsonSerializer.Serialize(p.Item1) + ":" + p.Item2)) + "}")),
            (1, inner.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]"))));

    /// <summary>An object with a known update type and random fields.</summary>
    private static readonly Gen<string> TypedGarbage =
        Gen.Select(Gen.OneOf(TypeNames), Gen.Select(Gen.OneOf(Keys), AnyJson).Array[0, 6])
            .Select((type, props) => "{" + string.Join(",", props.Select(p => JsonSerializer.Serialize(p.Item1) + ":" + p.Item2)
                .Prepend("\"@type\":" + JsonSerializer.Serialize(type))) + "}");

    /// <summary>A fixture with one node dropped, replaced, truncated, or buried in deep nesting.</summary>
    private static readonly Gen<string> MutatedFixture =
        Gen.Select(Gen.Int[0, UpdateFixtures.Length - 1], Gen.Int[0, 10_000], Gen.Int[0, 5], AnyJson, Gen.Int[1, 3000])
            .Select((fixture, at, op, value, depth) => Mutate(Text(UpdateFixtures[fixture]), at, op, value, depth));

    private static readonly Gen<string> Garbage = Gen.Frequency((1, AnyJson), (2, TypedGarbage), (4, MutatedFixture));

    private static string Mutate(string json, int at, int op, string value, int depth)
    {
        var root = JsonNode.Parse(json)!;
        if (root is JsonArray array) root = array[0]!.DeepClone();
        var nodes = new List<(JsonNode Parent, string? Key, int Index, JsonNode? Node)>();
        Collect(root, nodes);
        if (nodes.Count == 0) return json;
        var (parent, key, index, node) = nodes[at % nodes.Count];
        JsonNode? replacement = op switch
        {
            0 => null, // dropped below
            1 => JsonNode.Parse(value),
            2 when node is JsonValue v && v.TryGetValue<string>(out var s) => JsonValue.Create(s[..(s.Length / 2)]),
            2 when node is JsonValue v && v.TryGetValue<long>(out var n) => JsonValue.Create(n.ToString(System.Globalization.CultureInfo.InvariantCulture) + "x"),
            3 => JsonNode.Parse("123456789012345678901234567890123456789"),
            4 => Nest(depth, node?.DeepClone()),
            _ => JsonNode.Parse(value),
        };
        if (op == 0)
        {
            if (parent is JsonObject o) o.Remove(key!);
            else ((JsonArray)parent).RemoveAt(index);
        }
        else if (parent is JsonObject o) o[key!] = replacement;
        else ((JsonArray)parent)[index] = replacement;
        return root.ToJsonString(new JsonSerializerOptions { MaxDepth = 100_000 });
    }

    private static JsonNode Nest(int depth, JsonNode? inner)
    {
        var top = new JsonArray();
        var current = top;
        for (var i = 1; i < depth; i++)
        {
            var next = new JsonArray();
            current.Add(next);
            current = next;
        }
        current.Add(inner);
        return top;
    }

    private static void Collect(JsonNode node, List<(JsonNode, string?, int, JsonNode?)> into)
    {
        if (node is JsonObject o)
            foreach (var (k, v) in o)
            {
                into.Add((o, k, -1, v));
                if (v is not null) Collect(v, into);
            }
        else if (node is JsonArray a)
            for (var i = 0; i < a.Count; i++)
            {
                into.Add((a, null, i, a[i]));
                if (a[i] is { } v) Collect(v, into);
            }
    }

    /// <summary>A fixture update with a field Tgwatch needs dropped or given a value of the wrong kind.</summary>
    private static readonly Gen<string> SurelyMalformed =
        Gen.Select(Gen.Int[0, RequiredFields.Length - 1], Gen.Int[0, 100])
            .Select((i, pick) => BreakField(RequiredFields[i].Fixture, RequiredFields[i].Path, pick));

    private static string BreakField(string fixture, string path, int pick)
    {
        var root = JsonNode.Parse(Text(fixture))!;
        if (root is JsonArray array) root = array[0]!;
        var parts = path.Split('.');
        var node = root;
        foreach (var part in parts[..^1]) node = node[part]!;
        var kind = node[parts[^1]]!.GetValueKind();
        string[] wrong = path.EndsWith("@type", StringComparison.Ordinal) ? ["7", "null", "[]", "{}", "true"]
            : kind switch
            {
                JsonValueKind.Number => ["\"x\"", "\"123\"", "[]", "{}", "true", "null", "1e400", "-0.5", "123456789012345678901234567890"],
                JsonValueKind.String => ["7", "[]", "{}", "true", "null"],
                JsonValueKind.True or JsonValueKind.False => ["\"true\"", "1", "[]", "{}", "null"],
                JsonValueKind.Object => ["7", "\"x\"", "[]", "true", "null", "{}"],
                JsonValueKind.Array => ["7", "\"x\"", "{}", "true", "null", "[\"x\"]"],
                _ => throw new InvalidOperationException(path),
            };
        var choice = pick % (wrong.Length + 1);
        return TdMalformedUpdateTests.Mutate(fixture, path, choice == wrong.Length ? null : wrong[choice]);
    }

    private static readonly TgMessage Expected = NewMessage(ReaderWithDirectory(), "updateNewMessage.text.json").Message;

    private static void AValidUpdateStillMaps(TdUpdateReader reader)
    {
        foreach (var name in DirectoryUpdates) Assert.IsType<TdDirectoryChanged>(reader.Read(Load(name)));
        Assert.Equal(Expected, NewMessage(reader, "updateNewMessage.text.json").Message);
    }

    [Fact]
    public void Garbage_never_throws_and_the_malformed_count_is_the_number_of_malformed_events()
    {
        Garbage.Array[1, 30].Sample(inputs =>
        {
            var reader = ReaderWithDirectory();
            var before = (reader.Stats.Malformed, reader.Stats.Total);
            var malformed = 0;
            foreach (var json in inputs)
            {
                var e = reader.Read(JsonDocument.Parse(json, Deep).RootElement);
                Assert.NotNull(e);
                if (e is TdMalformedUpdate m)
                {
                    malformed++;
                    Assert.DoesNotContain('\n', m.Reason);
                }
            }
            Assert.Equal(before.Malformed + malformed, reader.Stats.Malformed);
            Assert.Equal(before.Total + inputs.Length, reader.Stats.Total);
            AValidUpdateStillMaps(reader);
        }, iter: 400);
    }

    [Fact]
    public void Each_update_missing_a_needed_field_or_with_a_wrong_kind_counts_as_exactly_one_malformed_update()
    {
        Gen.Select(SurelyMalformed.Array[1, 20], Gen.Int[0, UpdateFixtures.Length - 1].Array[0, 20]).Sample((broken, valid) =>
        {
            var reader = ReaderWithDirectory();
            var before = reader.Stats.Malformed;
            foreach (var (json, i) in broken.Select((j, i) => (j, i)))
            {
                Assert.IsType<TdMalformedUpdate>(reader.Read(Parse(json)));
                if (i < valid.Length) Assert.IsNotType<TdMalformedUpdate>(reader.Read(Load(UpdateFixtures[valid[i]]) is { ValueKind: JsonValueKind.Array } a ? a[0] : Load(UpdateFixtures[valid[i]])));
            }
            Assert.Equal(before + broken.Length, reader.Stats.Malformed);
            AValidUpdateStillMaps(reader);
        }, iter: 300);
    }

    [Fact]
    public void Reading_from_many_threads_counts_every_update_once()
    {
        var reader = ReaderWithDirectory();
        var before = reader.Stats.Total;
        var inputs = Garbage.Array[200].Single().Select(j => JsonDocument.Parse(j, Deep).RootElement)
            .Concat(UpdateFixtures.Select(f => Load(f) is { ValueKind: JsonValueKind.Array } a ? a[0] : Load(f))).ToArray();
        var malformed = 0;
        Parallel.For(0, 8, _ =>
        {
            foreach (var input in inputs)
                if (reader.Read(input) is TdMalformedUpdate) Interlocked.Increment(ref malformed);
        });
        Assert.Equal(before + 8L * inputs.Length, reader.Stats.Total);
        Assert.Equal(malformed, reader.Stats.Malformed);
    }
}
