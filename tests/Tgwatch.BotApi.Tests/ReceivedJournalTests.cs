using System.Text;
using Tgwatch.TestKit;

namespace Tgwatch.BotApi.Tests;

/// <summary>The received journal's file: what is written is read back, a record cut short is left aside and written over.</summary>
public sealed class ReceivedJournalTests
{
    private readonly string _path = Path.Combine(Some.TempDirectory("tgwatch-journal"), "state.db.received-bot1");

    private static readonly DateTimeOffset At = new(2026, 12, 7, 6, 0, 0, TimeSpan.Zero);

    private static byte[] Answer(int n) => Encoding.UTF8.GetBytes($$"""{"ok":true,"result":[{"update_id":{{n}}}]}""");

    [Fact]
    public void Answers_AreReadBack_InOrder_WithThePositionsTheirPollsWentOutAt()
    {
        using (var journal = ReceivedJournal.Open(_path, out var none, out var cut))
        {
            Assert.Empty(none);
            Assert.Equal(0, cut);
            journal.Append(10, false, Answer(11), At);
            journal.Append((1L << 32) | 7, true, Answer(12), At);
            journal.Append(12, false, [], At);
        }
        using var again = ReceivedJournal.Open(_path, out var entries, out var cutShort);
        Assert.Equal(0, cutShort);
        Assert.Equal([(10L, false), ((1L << 32) | 7, true), (12L, false)], entries.Select(e => (e.DeliveredAtSend, e.IdRestartPossible)));
        Assert.All(entries, e => Assert.Equal(At, e.PolledAt));
        Assert.Equal(Answer(11), entries[0].Answer);
        Assert.Equal(Answer(12), entries[1].Answer);
        Assert.Empty(entries[2].Answer);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_path));
    }

    [Theory]
    [InlineData(1)] // the last byte of the answer not on the disk
    [InlineData(20)] // part of the answer
    [InlineData(40)] // into its header
    public void ARecordCutShort_IsSaid_LeftAside_AndWrittenOver(int missing)
    {
        long end;
        using (var journal = ReceivedJournal.Open(_path, out _, out _))
        {
            journal.Append(1, false, Answer(2), At);
            journal.Append(2, false, Answer(3), At);
            end = journal.Length;
        }
        // A stop before the write was whole: the file's zeros where its last bytes were to go.
        using (var file = new FileStream(_path, FileMode.Open))
        {
            file.Position = end - missing;
            file.Write(new byte[missing]);
        }

        using (var journal = ReceivedJournal.Open(_path, out var entries, out var cutShort))
        {
            Assert.Equal([1L], entries.Select(e => e.DeliveredAtSend));
            Assert.Equal(end - journal.Length, cutShort);
            journal.Append(2, false, Answer(4), At);
        }
        using var last = ReceivedJournal.Open(_path, out var after, out var none);
        Assert.Equal(0, none);
        Assert.Equal([Answer(2), Answer(4)], after.Select(e => e.Answer));
    }

    [Fact]
    public void ARecordWhoseBytesChanged_EndsWhatIsRead()
    {
        long end;
        using (var journal = ReceivedJournal.Open(_path, out _, out _))
        {
            journal.Append(1, false, Answer(2), At);
            journal.Append(2, false, Answer(3), At);
            end = journal.Length;
        }
        var bytes = File.ReadAllBytes(_path);
        bytes[end - 3] ^= 0x20; // a letter of the second answer
        File.WriteAllBytes(_path, bytes);

        using var again = ReceivedJournal.Open(_path, out var entries, out var cutShort);
        Assert.Equal([Answer(2)], entries.Select(e => e.Answer));
        Assert.True(cutShort > 0);
    }

    [Fact]
    public void TheFile_HasZeroedRoomAheadOfItsRecords_AMegabyteAtATime()
    {
        using var journal = ReceivedJournal.Open(_path, out _, out _);
        Assert.Equal(0, new FileInfo(_path).Length);
        journal.Append(1, false, Answer(2), At);
        Assert.Equal(ReceivedJournal.Room, new FileInfo(_path).Length);
        journal.Append(2, false, new byte[ReceivedJournal.Room], At);
        Assert.Equal(2 * ReceivedJournal.Room, new FileInfo(_path).Length); // past a megabyte and a bit: two
    }

    [Fact]
    public void Cleared_ItIsEmpty_AndRecordsLeftFromBefore_AreNotReadAsNewOnes()
    {
        using (var journal = ReceivedJournal.Open(_path, out _, out _))
        {
            journal.Append(1, false, Answer(2), At);
            journal.Append(2, false, Answer(3), At);
            journal.Append(3, false, Answer(4), At);
            journal.Clear();
            Assert.Equal(0, journal.Length);
        }
        using (var journal = ReceivedJournal.Open(_path, out var none, out var cut))
        {
            Assert.Empty(none);
            Assert.Equal(0, cut);
            // As long as the first one was: the second record left from before starts right after it.
            journal.Append(5, false, Answer(6), At);
        }
        using var again = ReceivedJournal.Open(_path, out var entries, out var cutShort);
        Assert.Equal([(5L, Answer(6))], entries.Select(e => (e.DeliveredAtSend, e.Answer)));
        Assert.Equal(0, cutShort);
    }

    [Fact]
    public void AWholeAnswer_IsReadBack_AsTheConnectorReadsIt()
    {
        var answer = """{"ok":true,"result":[{"update_id":5,"message":{"message_id":1,"date":1764064801,"chat":{"id":1001,"type":"private","first_name":"Ada"},"text":"hi"}},{"update_id":6,"poll":{}}]}"""u8;
        var batch = UpdateBatch.ReadAnswer(answer);
        Assert.Equal([5L, 6L], batch.Updates.Select(u => u.Id));
        Assert.Equal("hi", batch.Updates[0].Update!.Message!.Text);
        Assert.Throws<System.Text.Json.JsonException>(() => UpdateBatch.ReadAnswer("""{"ok":true}"""u8));
    }
}
