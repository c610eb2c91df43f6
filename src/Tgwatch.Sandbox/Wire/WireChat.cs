namespace Tgwatch.Sandbox.Wire;

/// <summary>Bot API <c>Chat</c>: <c>type</c> is private, group, supergroup or channel.</summary>
internal sealed record WireChat(long Id, string Type, string? Title = null, string? Username = null, string? FirstName = null, string? LastName = null)
{
    public const string Private = "private";
    public const string Group = "group";
    public const string Supergroup = "supergroup";
    public const string Channel = "channel";

    public static bool IsKnownType(string type) => type is Private or Group or Supergroup or Channel;

    public bool IsChannel => Type == Channel;

    /// <summary>The type a chat id implies when nothing else is said: users are positive, basic groups negative,
    /// supergroups and channels -100… (<paramref name="channel"/> picks between those two).</summary>
    public static string TypeFor(long id, bool channel) =>
        id > 0 ? Private : id <= -1_000_000_000_000 ? (channel ? Channel : Supergroup) : (channel ? Channel : Group);
}
