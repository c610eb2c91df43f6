using System.Text.Json;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Tests.Updates;

/// <summary>TDLib 1.8.65 objects in Fixtures/, written from td_api.tl in the shape td_json gives them.</summary>
internal static class Fixture
{
    public const long Ada = 1001, Bob = 1002;
    public const long Traders = -1001234567890, News = -1009876543210, Family = -4242, SecretWithBob = -1999999999993;

    public static string Text(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static JsonElement Load(string name) => Parse(Text(name));

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    /// <summary>Ada, Bob, the chats with them, Traders (supergroup), News (channel), Family (basic group).</summary>
    public static readonly string[] DirectoryUpdates =
    [
        "updateUser.json", "updateUser.no_username.json", "updateSupergroup.json", "updateSupergroup.channel.json",
        "updateNewChat.private.json", "updateNewChat.basic_group.json", "updateNewChat.supergroup.json",
        "updateNewChat.channel.json", "updateNewChat.secret.json",
    ];

    /// <summary>A reader of account user777 that has seen <see cref="DirectoryUpdates"/>.</summary>
    public static TdUpdateReader ReaderWithDirectory()
    {
        var reader = new TdUpdateReader("user777");
        foreach (var name in DirectoryUpdates) Assert.IsType<TdDirectoryChanged>(reader.Read(Load(name)));
        return reader;
    }

    public static TdMappedMessage NewMessage(TdUpdateReader reader, string name) =>
        Assert.IsType<TdNewMessage>(reader.Read(Load(name))).Message;
}
