using System.Diagnostics;
using System.Globalization;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Sqlite.Tests;

/// <summary>
/// ARCHITECTURE §2 (invariant 1) across <c>kill -9</c>: a child process commits batches through the store and prints each
/// one once its commit returned; killed at a random moment (often mid-commit), then restarted, the
/// file holds every batch it reported, whole, and nothing half-written.
/// </summary>
public sealed class KillDurabilityTests(ITestOutputHelper output)
{
    private const int BatchSize = 40;
    private static readonly string Child = Repo.Output("tests/Tgwatch.StateStoreChild", "Tgwatch.StateStoreChild.dll");

    [Fact]
    public async Task KilledWhileCommitting_EveryReportedBatchIsThere_AndNothingHalfWritten()
    {
        var dir = Some.TempDirectory("tgwatch-kill");
        var path = Path.Combine(dir, "tgwatch.db");
        var random = new Random();
        long committed = 0;
        for (var round = 0; round < 3; round++)
        {
            var reported = await RunAndKillAsync(path, killAfter: random.Next(15, 90), pauseBeforeKillMs: random.Next(0, 20));
            // The child goes on right after the last durable batch, reported or not.
            Assert.Equal(committed + 1, reported[0]);
            Assert.Equal(Enumerable.Range((int)reported[0], reported.Count).Select(b => (long)b), reported);
            committed = await AssertConsistentAsync(path, reported);
            output.WriteLine($"round {round}: reported {reported[0]}..{reported[^1]}, committed {committed}");
        }
        Directory.Delete(dir, recursive: true);
    }

    private static async Task<List<long>> RunAndKillAsync(string path, int killAfter, int pauseBeforeKillMs)
    {
        using var child = ProcessRun.Start("dotnet", [Child, path, BatchSize.ToString(CultureInfo.InvariantCulture), "1000000"], redirectStdin: false);
        var stderr = child.StandardError.ReadToEndAsync();
        var reported = new List<long>();
        var start = await child.StandardOutput.ReadLineAsync();
        Assert.True(start?.StartsWith("start ", StringComparison.Ordinal), $"child said '{start}', stderr: {await StderrIfExited(child, stderr)}");
        reported.Add(long.Parse(start!["start ".Length..], CultureInfo.InvariantCulture));
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (reported.Count <= killAfter && await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                reported.Add(long.Parse(line, CultureInfo.InvariantCulture));
        }
        Assert.True(reported.Count == killAfter + 1, $"child stopped early: {await StderrIfExited(child, stderr)}");
        // A real child process: a random moment more, so the kill lands anywhere in its commit, not only right after a report.
        if (pauseBeforeKillMs > 0) await Task.Delay(pauseBeforeKillMs);
        child.Kill(); // SIGKILL: no finally blocks, no disposal, no flush of anything in the process
        // What it printed before it died was also committed before it died.
        while (await child.StandardOutput.ReadLineAsync() is { } line) reported.Add(long.Parse(line, CultureInfo.InvariantCulture));
        await child.WaitForExitAsync();
        Assert.Equal(137, child.ExitCode);
        // The first entry is where the child started; it reported that batch too (or died before it).
        return reported[1..] is { Count: > 0 } batches && batches[0] == reported[0] ? batches : throw new Xunit.Sdk.XunitException($"child started at {reported[0]} but reported {string.Join(',', reported.Skip(1).Take(3))}…");
    }

    private static async Task<long> AssertConsistentAsync(string path, List<long> reported)
    {
        var reportedMax = reported[^1];
        using (var raw = TempStore.RawConnection(path))
        {
            Assert.Equal("ok", Make.Text(raw, "PRAGMA integrity_check"));
        }
        await using var store = await SqliteStateStore.OpenAsync(path, TimeProvider.System, CancellationToken.None);
        var committed = (await store.LoadCheckpointsAsync("child", "test", CancellationToken.None))["batches"];
        Assert.True(committed >= reportedMax, $"checkpoint {committed} is behind reported batch {reportedMax}");
        Assert.True(committed <= reportedMax + 1, $"checkpoint {committed} is ahead of what one unreported commit explains");

        // Every batch up to the checkpoint is whole, and there is not one key more: no torn commit.
        var status = await store.GetStatusAsync(CancellationToken.None);
        Assert.Equal(committed * BatchSize, status.Processed);
        var keys = new List<string>();
        for (var id = BatchSize; id < (committed + 1) * BatchSize; id++) keys.Add($"child:1:{id}:new:");
        Assert.Equal(keys.Count, (await store.FindProcessedAsync(keys, CancellationToken.None)).Count);
        Assert.Equal(committed * BatchSize, Assert.Single(status.Chats).Count);

        var offset = await store.SinkLedger.GetOffsetAsync("jsonl", CancellationToken.None) ?? 0;
        // The ledger is recorded before the commit, as a sink records its write: in the commit's transaction, or (the first
        // of a run) in one of its own just before it. Reported batches are all there, and at most the one after them.
        Assert.InRange(offset, committed, committed + 1);
        var ledgerKeys = reported.Select(b => $"b{b}").ToArray();
        Assert.Equal(ledgerKeys.Length, (await store.SinkLedger.FindWrittenAsync("jsonl", ledgerKeys, CancellationToken.None)).Count);
        return committed;
    }

    private static async Task<string> StderrIfExited(Process child, Task<string> stderr) =>
        child.HasExited ? await stderr : "(still running)";
}
