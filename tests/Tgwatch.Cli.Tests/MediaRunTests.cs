using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Tgwatch.Messages;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary><c>tgwatch run --media DIR</c> against the sandbox, and its flags' mistakes.</summary>
public sealed class MediaRunTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1";
    private readonly string _dir = Some.TempDirectory("tgwatch-media-run");
    private BotApiSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private string P(string name) => Path.Combine(_dir, name);

    [UnixFact]
    [UnsupportedOSPlatform("windows")]
    public async Task RunWithMedia_WritesEachRecordPendingThenItsUpdateDone_AndTheFilesPrivately_ATooBigOneFailed()
    {
        const long chat = -100903;
        await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = chat, Photo = true, Caption = "a photo" });
        await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = chat, Document = new SandboxDocument { FileName = "notes.txt", FileSize = 5_000 } });
        await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = chat, Document = new SandboxDocument { FileName = "big.iso", FileSize = 2L << 20 } });
        using var run = Tgwatch.Start("run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(), "--state", P("state.db"),
            "--sink", "jsonl:" + P("out.jsonl"), "--media", P("media"), "--media-max-size", "1MB", "--media-parallel", "2");
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => File.Exists(P("out.jsonl")) && File.ReadAllLines(P("out.jsonl")).Length == 5, "three records and two media updates", Tgwatch.Patience);
        Process.Start("kill", ["-TERM", run.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        await run.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        output.WriteLine(await stderr);
        Assert.Equal(0, run.ExitCode);

        var records = File.ReadAllLines(P("out.jsonl")).Select(l => TgMessageJson.Parse(l)).ToList();
        Assert.Equal(["pending", "pending", "failed", "done", "done"], records.Select(r => MediaDownload.StateName(r.Media!.Download!.State)));
        Assert.Equal(["new", "new", "new", "edit", "edit"], records.Select(r => MessageKey.KindName(r.Kind)));
        Assert.StartsWith("too big: 2 MB", records[2].Media!.Download!.Error);
        foreach (var done in records.Skip(3).Select(r => r.Media!.Download!))
        {
            Assert.StartsWith(Path.Combine(P("media"), chat.ToString(CultureInfo.InvariantCulture)) + "/", done.Path);
            Assert.Equal(done.Sha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(done.Path!))));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(done.Path!));
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(P("media")));
        Assert.DoesNotContain(_sandbox.Token, await stderr);
    }

    [Theory]
    [InlineData("Media:MaxSize: 'huge' is not a size: write it as 50MB, 512KB, 2GB or a number of bytes", "--media", "/tmp/m", "--media-max-size", "huge")]
    [InlineData("Media:Types: unknown media type 'pictures': choose from photo, video, document", "--media", "/tmp/m", "--media-types", "photo,pictures")]
    [InlineData("Media:Dir: media types, a size limit and parallel downloads need a directory to download to: give --media DIR", "--media-types", "photo")]
    [InlineData("Media:Parallel: between 1 and 16", "--media", "/tmp/m", "--media-parallel", "0")]
    [InlineData("Media:Parallel: between 1 and 16", "--media", "/tmp/m", "--media-parallel", "17")]
    [InlineData("Media:Parallel: expected a whole number", "--media", "/tmp/m", "--media-parallel", "many")]
    [InlineData("Media:Dir: media types, a size limit and parallel downloads need a directory to download to: give --media DIR", "--media-parallel", "2")]
    public async Task BadMediaFlags_AreOneLineNamingTheKey_ExitCode2(string expected, params string[] args)
    {
        var run = await Tgwatch.RunAsync(null, ["run", "--bot-token", Token, .. args, "--data-dir", _dir]);
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("tgwatch run: ", line);
        Assert.Contains(expected, line);
    }
}
