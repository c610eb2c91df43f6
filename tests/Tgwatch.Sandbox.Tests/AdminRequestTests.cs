using System.Text;
using System.Text.Json;

namespace Tgwatch.Sandbox.Tests;

/// <summary>
/// Requests to the admin API (<c>/sandbox/…</c>) with a mistake in their JSON, as a user types them with curl: a 400 whose
/// <c>error</c> is one line in plain words naming the field and the endpoint, never the deserializer's own message.
/// </summary>
public sealed class AdminRequestTests
{
    private static async Task<string> RefusedAsync(Running s, string path, string body)
    {
        using var http = new HttpClient();
        using var answer = await http.PostAsync(new Uri(s.Sandbox.BaseUrl, path.TrimStart('/')), new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(400 == (int)answer.StatusCode, text);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error").GetString()!;
        Assert.DoesNotContain('\n', error);
        foreach (var internals in new[] { "System.", "Tgwatch.", ".NET", "Path: $", "LineNumber", "BytePosition", "could not be" })
            Assert.DoesNotContain(internals, error, StringComparison.Ordinal);
        return error;
    }

    [Theory]
    [InlineData("/sandbox/messages", """{"chatid": -1001, "text": "hi"}""", """unknown field "chatid" in /sandbox/messages (did you mean "chat_id"?)""")]
    [InlineData("/sandbox/channel-posts", """{"chat_id": -1001, "txt": "hi"}""", """unknown field "txt" in /sandbox/channel-posts (did you mean "text"?)""")]
    [InlineData("/sandbox/edits", """{"chat_id": -1001, "message": 1, "text": "hi"}""", """unknown field "message" in /sandbox/edits (did you mean "message_id"?)""")]
    [InlineData("/sandbox/messages/bulk", """{"chat_id": [-1001], "count": 3}""", """unknown field "chat_id" in /sandbox/messages/bulk (did you mean "chat_ids"?)""")]
    [InlineData("/sandbox/update-ids", """{"nxt": 5}""", """unknown field "nxt" in /sandbox/update-ids (did you mean "next"?)""")]
    [InlineData("/sandbox/faults", """{"kind": "drop", "cout": 1}""", """unknown field "cout" in /sandbox/faults (did you mean "count"?)""")]
    public async Task AnUnknownField_Is400NamingIt_WithTheFieldItResembles(string path, string body, string expected)
    {
        await using var s = await Running.StartAsync();
        Assert.Equal(expected, await RefusedAsync(s, path, body));
    }

    [Fact]
    public async Task AnUnknownFieldNothingResembles_IsNamedWithoutASuggestion()
    {
        await using var s = await Running.StartAsync();
        Assert.Equal("""unknown field "colour" in /sandbox/messages""", await RefusedAsync(s, "/sandbox/messages", """{"chat_id": -1001, "text": "hi", "colour": "red"}"""));
    }

    [Fact]
    public async Task AnUnknownFieldOfANestedObject_IsNamedByItsPath()
    {
        await using var s = await Running.StartAsync();
        Assert.Equal("""unknown field "chat.titel" in /sandbox/messages (did you mean "chat.title"?)""",
            await RefusedAsync(s, "/sandbox/messages", """{"chat_id": -1001, "chat": {"type": "supergroup", "titel": "News"}, "text": "hi"}"""));
    }

    [Fact]
    public async Task SeveralUnknownFields_AreAllNamed_InOneLine()
    {
        await using var s = await Running.StartAsync();
        Assert.Equal("""unknown field "chatid" in /sandbox/messages (did you mean "chat_id"?); unknown field "txt" in /sandbox/messages (did you mean "text"?)""",
            await RefusedAsync(s, "/sandbox/messages", """{"chatid": -1001, "txt": "hi"}"""));
    }

    [Theory]
    [InlineData("{not json", "not valid JSON in /sandbox/messages (line 1, position 2)")]
    [InlineData("{\"chat_id\": -1001,\n \"text\": \"hi\",", "not valid JSON in /sandbox/messages (line 2, position 14)")]
    [InlineData("{\"chat_id\": -1001} and more", "not valid JSON in /sandbox/messages (line 1, position 20)")]
    [InlineData("", "not valid JSON in /sandbox/messages (line 1, position 1)")]
    [InlineData("[1, 2]", "a JSON object is expected in /sandbox/messages")]
    [InlineData("null", "a JSON object is expected in /sandbox/messages")]
    public async Task MalformedJson_Is400WithOnePlainLine(string body, string expected)
    {
        await using var s = await Running.StartAsync();
        Assert.Equal(expected, await RefusedAsync(s, "/sandbox/messages", body));
    }

    [Theory]
    [InlineData("/sandbox/messages", """{"chat_id": "minus one", "text": "hi"}""", """field "chat_id" in /sandbox/messages: expected a whole number""")]
    [InlineData("/sandbox/messages", """{"chat_id": -1001, "chat": "News"}""", """field "chat" in /sandbox/messages: expected an object""")]
    [InlineData("/sandbox/messages", """{"chat_id": -1001, "photo": "yes"}""", """field "photo" in /sandbox/messages: expected true or false""")]
    [InlineData("/sandbox/messages/bulk", """{"chat_ids": -1001, "count": 3}""", """field "chat_ids" in /sandbox/messages/bulk: expected a list""")]
    [InlineData("/sandbox/faults", """{"kind": "explode"}""", """field "kind" in /sandbox/faults: expected one of rate_limit, bad_gateway, drop, drop_response, stall, malformed""")]
    [InlineData("/sandbox/messages", """{"text": "where?"}""", """missing field "chat_id" in /sandbox/messages""")]
    public async Task AFieldOfTheWrongTypeOrAMissingOne_IsNamedInPlainWords(string path, string body, string expected)
    {
        await using var s = await Running.StartAsync();
        Assert.Equal(expected, await RefusedAsync(s, path, body));
    }
}
