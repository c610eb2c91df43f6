using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Tgwatch.Sandbox.Admin;
using Tgwatch.Sandbox.Faults;

namespace Tgwatch.Sandbox.Tests;

/// <summary>getFile and /file/bot&lt;token&gt;/&lt;file_path&gt;, held to the Bot API's documented behaviour.</summary>
public sealed class FileTests
{
    private const long Group = -1001000000001;

    [Fact]
    public async Task GetFile_GivesAPath_ThatServesTheFilesBytes_TheSameEachTime_AsTelegramBotReadsThem()
    {
        await using var s = await Running.StartAsync();
        await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Document = new SandboxDocument { FileName = "report.pdf", FileSize = 100_000 } });
        var document = (await s.Bot.UpdatesAsync())[0].Message!.Document!;
        var client = new TelegramBotClient(new TelegramBotClientOptions(s.Sandbox.Token, s.Sandbox.BaseUrl.GetLeftPart(UriPartial.Authority)));

        var file = await client.GetFile(document.FileId);
        using var first = new MemoryStream();
        await client.DownloadFile(file.FilePath!, first);
        using var second = new MemoryStream();
        await client.DownloadFile(file.FilePath!, second);

        Assert.Equal((document.FileId, document.FileUniqueId, 100_000L), (file.FileId, file.FileUniqueId, file.FileSize));
        Assert.StartsWith("documents/file_", file.FilePath);
        Assert.EndsWith(".pdf", file.FilePath);
        Assert.Equal(100_000, first.Length);
        Assert.Equal(first.ToArray(), second.ToArray());
    }

    [Fact]
    public async Task GetFile_OfAFileOver20MB_IsBadRequestFileIsTooBig_AndAnUnknownIdIsInvalid()
    {
        await using var s = await Running.StartAsync();
        await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Document = new SandboxDocument { FileName = "movie.mp4", FileSize = 30L << 20 } });
        var document = (await s.Bot.UpdatesAsync())[0].Message!.Document!;

        var big = await s.Bot.GetAsync("getFile", "file_id=" + document.FileId);
        var unknown = await s.Bot.GetAsync("getFile", "file_id=nope");

        Assert.Equal((400, "Bad Request: file is too big"), (big.Status, big.Json.GetProperty("description").GetString()));
        Assert.Equal((400, "Bad Request: invalid file_id"), (unknown.Status, unknown.Json.GetProperty("description").GetString()));
    }

    [Fact]
    public async Task FilePath_Unknown_Is404_AnotherBotsTokenIs401_AndADropCutsTheFileOffHalfway()
    {
        await using var s = await Running.StartAsync();
        await s.Admin.SendMessageAsync(new InjectMessage { ChatId = Group, Photo = true });
        var photo = (await s.Bot.UpdatesAsync())[0].Message!.Photo![^1];
        var path = (await s.Bot.GetAsync("getFile", "file_id=" + photo.FileId)).Result.GetProperty("file_path").GetString();
        var root = s.Sandbox.BaseUrl.GetLeftPart(UriPartial.Authority);

        var missing = await s.Bot.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{root}/file/bot{s.Sandbox.Token}/photos/none.jpg"), default);
        var stranger = await s.Bot.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{root}/file/bot123:{new string('A', 35)}/{path}"), default);
        await s.Admin.AddFaultAsync(new FaultRequest { Kind = SandboxFaultKind.Drop, Method = "file" });
        var dropped = await Record.ExceptionAsync(() => s.Bot.Http.GetByteArrayAsync($"{root}/file/bot{s.Sandbox.Token}/{path}"));
        var whole = await s.Bot.Http.GetByteArrayAsync($"{root}/file/bot{s.Sandbox.Token}/{path}");

        Assert.Equal(404, missing.Status);
        Assert.Equal(401, stranger.Status);
        Assert.IsType<HttpRequestException>(dropped);
        Assert.Equal(98_765, whole.Length);
    }
}
