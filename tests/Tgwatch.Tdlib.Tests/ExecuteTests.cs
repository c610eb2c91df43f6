using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Native;

namespace Tgwatch.Tdlib.Tests;

public sealed class ExecuteTests
{
    public ExecuteTests() => _ = TestHost.Host;

    [Fact]
    public void Version_is_the_pinned_tdlib()
    {
        var answer = TdJsonLibrary.ExecuteChecked(new GetOption("version"));
        Assert.Equal("optionValueString", answer.GetProperty("@type").GetString());
        Assert.Equal("1.8.65", answer.GetProperty("value").GetString());
    }

    [Fact]
    public void Parse_text_entities_round_trips_utf8()
    {
        var answer = TdJsonLibrary.ExecuteChecked(new ParseTextEntities("Привет *мир* ✓", new TextParseModeMarkdown(2)));
        Assert.Equal("formattedText", answer.GetProperty("@type").GetString());
        Assert.Equal("Привет мир ✓", answer.GetProperty("text").GetString());
        var entity = Assert.Single(answer.GetProperty("entities").EnumerateArray());
        Assert.Equal("textEntityTypeBold", entity.GetProperty("type").GetProperty("@type").GetString());
        Assert.Equal(7, entity.GetProperty("offset").GetInt32());
        Assert.Equal(3, entity.GetProperty("length").GetInt32());
    }

    [Fact]
    public void Log_tag_verbosity_set_is_read_back()
    {
        TdJsonLibrary.ExecuteChecked(new SetLogTagVerbosityLevel("dns_resolver", 3));
        var answer = TdJsonLibrary.ExecuteChecked(new GetLogTagVerbosityLevel("dns_resolver"));
        Assert.Equal(3, answer.GetProperty("verbosity_level").GetInt32());
    }

    [Fact]
    public void Log_stream_is_empty_after_start()
    {
        var answer = TdJsonLibrary.ExecuteChecked(new GetLogStream());
        Assert.Equal("logStreamEmpty", answer.GetProperty("@type").GetString());
    }

    [Theory]
    [InlineData("{\"@type\":\"getOption\",")]
    [InlineData("not json at all")]
    [InlineData("{\"@type\":\"noSuchFunction\"}")]
    [InlineData("{\"name\":\"version\"}")]
    public void Malformed_request_gets_an_error_object(string request)
    {
        var raw = TdJsonLibrary.ExecuteRaw(request);
        Assert.NotNull(raw);
        var answer = System.Text.Json.JsonDocument.Parse(raw).RootElement;
        Assert.Equal("error", answer.GetProperty("@type").GetString());
        Assert.True(answer.GetProperty("code").GetInt32() > 0);
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("message").GetString()));
    }

    [Fact]
    public void Error_answer_of_execute_checked_is_a_typed_exception()
    {
        var e = Assert.Throws<TdlibErrorException>(() => TdJsonLibrary.ExecuteChecked(new ParseTextEntities("*unclosed", new TextParseModeMarkdown(2))));
        Assert.Equal(400, e.Code);
        Assert.Equal("parseTextEntities", e.RequestType);
        Assert.Contains(e.TdMessage, e.Message);
    }
}
