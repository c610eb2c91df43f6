using System.Diagnostics;
using System.Text;
using Tgwatch.Messages;
using Tgwatch.Sinks.Jsonl;
using Tgwatch.Sinks.Sqlite;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Jsonl;

/// <summary>The JSONL sink's file as a user meets it: a wrong file, a second writer, rotation, permissions.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class JsonlSinkFileTests : IDisposable
{
    private readonly JsonlFixture _f = new();

    public void Dispose() => _f.Dispose();

    private static string Record(TgMessage message) => Encoding.UTF8.GetString(TgMessageJson.ToUtf8(message));

    [Fact]
    public async Task Start_OnASqliteDatabase_IsRefusedWithOneLine_AndTheDatabaseIsUntouched()
    {
        await using (var db = new SqliteMessageSink(_f.PathName))
            await db.WriteAsync(SomeMessage.Batch(1, 50), CancellationToken.None);
        var before = _f.Bytes;

        await using var sink = new JsonlSink(_f.Options, _f.Store.SinkLedger);
        var e = await Assert.ThrowsAnyAsync<IOException>(() => sink.StartAsync(CancellationToken.None).AsTask());

        Assert.Equal(before, _f.Bytes);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(_f.PathName, e.Message);
        Assert.Contains("not a JSONL file of Tgwatch records", e.Message);
        Assert.Equal(0, _f.Store.Snapshot().LedgerOf(_f.SinkName).Offset);
    }

    [Fact]
    public async Task Start_OnAUsersTextFile_IsRefused_AndItsLastLineIsKept()
    {
        File.WriteAllText(_f.PathName, "shopping list\nmilk\nbread, no newline at the end");
        var before = _f.Bytes;

        await using var sink = new JsonlSink(_f.Options, _f.Store.SinkLedger);
        await Assert.ThrowsAnyAsync<IOException>(() => sink.StartAsync(CancellationToken.None).AsTask());

        Assert.Equal(before, _f.Bytes);
    }

    [Fact]
    public async Task Start_RecordsTheLedgerDoesNotKnow_WithAnUnfinishedLastLine_KeepsItsBytes_AndWritesOnANewLine()
    {
        // Another program's archive of records whose last line has no line end yet: not this sink's torn write.
        var theirs = SomeMessage.Batch(1, 2);
        var tail = Record(SomeMessage.New(3, "theirs"));
        File.WriteAllText(_f.PathName, $"{Record(theirs[0])}\n{Record(theirs[1])}\n{tail}");

        await _f.WriteOnceAsync(SomeMessage.Batch(10, 1));

        Assert.Equal([Record(theirs[0]), Record(theirs[1]), tail, Record(SomeMessage.Batch(10, 1)[0])], _f.Lines);
        Assert.Empty(_f.Logs.WithId(3101));
    }

    [Fact]
    public async Task Start_ASecondSinkOnTheSameFile_IsRefusedWithOneLine_EvenWithAnotherStateStore()
    {
        await using var first = await _f.StartAsync();
        await first.WriteAsync(SomeMessage.Batch(1, 1), CancellationToken.None);
        var otherStore = new InMemoryStateStore();

        await using var second = new JsonlSink(_f.Options, otherStore.SinkLedger);
        var e = await Assert.ThrowsAnyAsync<IOException>(() => second.StartAsync(CancellationToken.None).AsTask());

        Assert.Contains("in use by another writer", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        await first.WriteAsync(SomeMessage.Batch(2, 1), CancellationToken.None);
        Assert.Equal(SomeMessage.Batch(1, 2).Select(m => m.Key), _f.Keys);
    }

    [Fact]
    public async Task Start_TheLockIsARealFlock_SeenByTheFlockProgram()
    {
        await using var sink = await _f.StartAsync();
        using var flock = Process.Start(new ProcessStartInfo("flock", ["-n", _f.PathName, "true"]) { RedirectStandardError = true })!;
        await flock.WaitForExitAsync();
        Assert.Equal(1, flock.ExitCode);
    }

    [Fact]
    public async Task Write_AfterTheFileWasTruncatedToZero_GoesOnAtItsStart_WithoutNulBytes()
    {
        await using var sink = await _f.StartAsync();
        await sink.WriteAsync(SomeMessage.Batch(1, 20), CancellationToken.None);
        File.WriteAllBytes(_f.PathName, []); // truncate -s 0, logrotate's copytruncate

        await sink.WriteAsync(SomeMessage.Batch(21, 2), CancellationToken.None);

        Assert.DoesNotContain((byte)0, _f.Bytes);
        Assert.Equal(SomeMessage.Batch(21, 2).Select(m => m.Key), _f.Keys);
        Assert.Equal(_f.Bytes.Length, _f.Store.Snapshot().LedgerOf(_f.SinkName).Offset);
    }

    [Fact]
    public async Task Write_AfterTheFileWasMoved_GoesOnInANewFileAtThePath_AndCrashRepairFollowsIt()
    {
        var rotated = _f.PathName + ".1";
        await using (var sink = await _f.StartAsync())
        {
            await sink.WriteAsync(SomeMessage.Batch(1, 3), CancellationToken.None);
            File.Move(_f.PathName, rotated); // mv, logrotate without copytruncate

            await sink.WriteAsync(SomeMessage.Batch(1, 5), CancellationToken.None); // 1-3 again (redelivery), 4-5 new
        }

        Assert.Equal(SomeMessage.Batch(1, 3).Select(m => Record(m) + "\n"), File.ReadAllLines(rotated).Select(l => l + "\n"));
        Assert.Equal(SomeMessage.Batch(4, 2).Select(m => m.Key), _f.Keys);
        Assert.Equal(_f.Bytes.Length, _f.Store.Snapshot().LedgerOf(_f.SinkName).Offset);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_f.PathName));

        // A crash after the next write and before its record: the repair accounts for it in the new file, and a torn
        // line of the sink's own is cut there.
        File.AppendAllBytes(_f.PathName, [.. JsonlFixture.Line(SomeMessage.New(6)), .. JsonlFixture.Line(SomeMessage.New(7))[..30]]);
        await using (var again = await _f.StartAsync())
        {
            Assert.Equal((1, 30L), (again.RecoveredLines, again.TornBytesCut));
            await again.WriteAsync(SomeMessage.Batch(6, 2), CancellationToken.None);
        }
        Assert.Equal(SomeMessage.Batch(4, 4).Select(m => m.Key), _f.Keys);
    }

    [Fact]
    public async Task Start_AnExistingFileReadableByOthers_IsMadePrivate_AndSaysSoOnce()
    {
        File.WriteAllBytes(_f.PathName, []);
        File.SetUnixFileMode(_f.PathName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await _f.WriteOnceAsync(SomeMessage.Batch(1, 1));
        await _f.WriteOnceAsync(SomeMessage.Batch(2, 1));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_f.PathName));
        var line = Assert.Single(_f.Logs.Entries, e => e.Message.Contains("0644", StringComparison.Ordinal));
        Assert.Contains("0600", line.Message);
    }
}
