using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// <c>tgwatch run</c> on the Bot API keeps what each answer brought in its received journal before the next poll confirms
/// it to Telegram: killed while its sink is failing, after Telegram has forgotten the updates, it still writes each of them
/// once at its next start.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ReceivedJournalRunTests : IAsyncLifetime
{
    private const int Count = 300;
    private readonly string _dir = Some.TempDirectory("tgwatch-received");
    private BotApiSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private string P(string name) => Path.Combine(_dir, name);

    private async Task<int> PendingAsync() => (await _sandbox.Admin.GetStatsAsync()).Bots.Single().PendingUpdates;

    [Fact]
    public async Task KilledAfterTelegramForgotTheUpdates_BeforeTheSinkHadThem_ItWritesEachOnceAtItsNextStart()
    {
        // The sink's disk is full: it writes nothing and nothing is committed (a full disk is waited out, not dead-lettered).
        using var disk = SmallDisk.Mount(4 * 1024 * 1024);
        disk.Fill();
        var output = Path.Combine(disk.Directory, "out.jsonl");
        string[] args = ["run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(), "--sink", $"jsonl:{output}", "--state", P("state.db")];
        await _sandbox.Admin.SendBulkAsync(new InjectBulk { ChatIds = [-1001, -1002], Count = Count });

        await using (var first = RunningTgwatch.Start(args))
        {
            // The polls confirm what the journal holds all the same: Telegram forgets the updates.
            await Eventually.TrueAsync(async () => await PendingAsync() == 0, "Telegram holding none of the updates", Tgwatch.Patience);
        } // SIGKILL
        Assert.Equal(0, Lines(output));

        var botId = global::Tgwatch.Secrets.BotToken.IdOf(_sandbox.Token);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(P($"state.db.received-bot{botId}")));
        disk.Free();
        await using var second = RunningTgwatch.Start(args);
        await Eventually.TrueAsync(() => Lines(output) >= Count, $"{Count} lines written", Tgwatch.Patience);
        var log = await second.StopAsync();

        var keys = File.ReadAllLines(output).Select(RecordKey).ToList();
        Assert.Equal(Count, keys.Count); // none twice
        Assert.Equal(Count, keys.Distinct().Count());
        Assert.Contains($"{Count} update(s) received before the last stop and not yet committed are delivered again", log, StringComparison.Ordinal);
        Assert.Equal(0, await PendingAsync());
    }

    private static int Lines(string path) => File.Exists(path) ? File.ReadAllLines(path).Length : 0;

    private static string RecordKey(string line)
    {
        using var record = System.Text.Json.JsonDocument.Parse(line);
        return $"{record.RootElement.GetProperty("chat_id").GetInt64()}/{record.RootElement.GetProperty("message_id").GetInt64()}";
    }
}
