using System.Text;
using Tgwatch.Bench.Peers;

namespace Tgwatch.Bench.Tests.Peers;

public sealed class RecordKeyTests
{
    [Fact]
    public void ARecordOfTgwatch_IsKeyedByItsTopLevelIds_NotByTheRepliedMessage()
    {
        var line = """{"account":"bot1","connector":"botapi","reply_to":{"chat_id":-5,"message_id":9,"state":"resolved"},"chat_id":-1001,"kind":"new","message_id":42,"chat":{"title":"t"}}""";

        Assert.Equal(new RecordKey(-1001, 42), RecordKey.Parse(Encoding.UTF8.GetBytes(line)));
    }

    [Theory]
    [InlineData("""{"chat_id":-1001}""")]
    [InlineData("""{"chat_id":-1001,"message_id":"42"}""")]
    [InlineData("""{"chat_id":-1001,"message_id":4""")]
    [InlineData("""[1,2]""")]
    [InlineData("")]
    [InlineData("""{"chat_id":-1001,"mess{"chat_id":-1001,"message_id":43}""")]
    public void ALineThatIsNoWholeRecord_HasNoKey(string line) =>
        Assert.Null(RecordKey.Parse(Encoding.UTF8.GetBytes(line)));

    [Fact]
    public void AFile_CountsLinesDistinctMessagesAndLinesThatAreNoRecord_NotAnUnfinishedLastLine()
    {
        var text = """
            {"chat_id":-1,"message_id":1}
            {"chat_id":-1,"message_id":2}
            {"chat_id":-2,"message_id":1}
            {"chat_id":-1,"message_id":1}
            not json
            {"chat_id":-1,"message_id":3}
            """ + "\n" + """{"chat_id":-1,"mess""";

        var count = JsonlCount.Of(Encoding.UTF8.GetBytes(text));

        Assert.Equal(new JsonlCount(Lines: 6, Distinct: 4, Corrupt: 1), count);
        Assert.Equal(1, count.Duplicated);
    }
}
