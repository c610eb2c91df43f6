using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Tgwatch.Messages;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// A server that sends a message of 30 million characters (Telegram's limit is 4096): <c>tgwatch run</c>, a real
/// process against the Bot API sandbox, records it cut with a marker, goes on with the next messages, keeps its memory
/// bounded, and starts again without a crash.
/// </summary>
public sealed class HugeMessageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Repeat = 3_000_000;
    private const string Chunk = "0123456789";
    private readonly string _dir = Some.TempDirectory("tgwatch-huge");
    private BotApiSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string P(string name) => Path.Combine(_dir, name);

    private string[] RunArgs => ["run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(),
        "--sink", $"jsonl:{P("out.jsonl")}", "--sink", $"sqlite:{P("out.db")}", "--state", P("state.db")];

    /// <summary>The records of the complete lines (the sink may be in the middle of writing the next one).</summary>
    private IReadOnlyList<TgMessage> Records => File.Exists(P("out.jsonl")) ? [.. File.ReadAllText(P("out.jsonl")).Split('\n')[..^1].Select(TgMessageJson.Parse)] : [];

    [Fact]
    public async Task AMessageOf30MillionChars_IsRecordedCut_TheRunGoesOn_MemoryStaysBounded_ARestartDoesNotCrash()
    {
        await Send("before");
        await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100555, Text = Chunk, TextRepeat = Repeat, From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        await Send("after");

        var (exit, log, peak) = await RunUntilAsync(() => Records.Count >= 3);
        output.WriteLine(log);
        output.WriteLine($"peak resident memory {peak / 1024 / 1024} MiB");

        Assert.Equal(0, exit);
        Assert.Equal(3, Records.Count);
        Assert.Equal("before", Records[0].Text);
        Assert.Equal("after", Records[2].Text);
        var cut = Records[1].Text!;
        var dropped = (long)Repeat * Chunk.Length - MessageText.MaxChars;
        Assert.Equal(string.Concat(Enumerable.Repeat(Chunk, MessageText.MaxChars / Chunk.Length + 1))[..MessageText.MaxChars] + $"… [truncated {dropped} chars]", cut);
        // The process's peak: the 30 million characters were never held whole (60 MB as a string, more as JSON).
        Assert.InRange(peak, 1, 200L * 1024 * 1024);

        await Send("later");
        var (again, log2, _) = await RunUntilAsync(() => Records.Count >= 4);
        output.WriteLine(log2);
        Assert.Equal(0, again);
        Assert.Equal(["before", cut, "after", "later"], Records.Select(r => r.Text));
    }

    private Task Send(string text) =>
        _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = -100555, Text = text, From = new SandboxUser { Id = 5, FirstName = "Eve" } });

    /// <summary>Runs <c>tgwatch run</c> until <paramref name="done"/>, stops it with SIGTERM; its exit code, its log and its peak resident memory.</summary>
    private async Task<(int Exit, string Log, long PeakBytes)> RunUntilAsync(Func<bool> done, [CallerArgumentExpression(nameof(done))] string what = "")
    {
        using var process = Tgwatch.Start(RunArgs);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => done() || process.HasExited, what, TimeSpan.FromSeconds(60));
        var peak = PeakResident(process.Id);
        if (!process.HasExited) Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        await process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        return (process.ExitCode, await stderr, peak);
    }

    /// <summary>VmHWM of a running process (0 when it is gone).</summary>
    private static long PeakResident(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
