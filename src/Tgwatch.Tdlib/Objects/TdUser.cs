using System.Text.Json.Serialization;

namespace Tgwatch.Tdlib.Objects;

/// <summary>TDLib <c>user</c> (id, names, usernames).</summary>
internal sealed class TdUser
{
    public required long Id { get; init; }

    public required string FirstName { get; init; }

    public required string LastName { get; init; }

    public TdUsernames? Usernames { get; init; }
}

/// <summary>TDLib <c>usernames</c>.</summary>
internal sealed class TdUsernames
{
    /// <summary>Active usernames; the first is the primary one.</summary>
    public string[]? ActiveUsernames { get; init; }

    public string? EditableUsername { get; init; }

    /// <summary>The primary username: the first active one.</summary>
    [JsonIgnore]
    public string? Primary => ActiveUsernames is [{ Length: > 0 } first, ..] ? first : null;
}

/// <summary>TDLib <c>supergroup</c>: a supergroup or a channel (id, usernames, is_channel).</summary>
internal sealed class TdSupergroup
{
    /// <summary>The supergroup id (positive); its chat id is -100… (see <see cref="ChatIdOf"/>).</summary>
    public required long Id { get; init; }

    public TdUsernames? Usernames { get; init; }

    public required bool IsChannel { get; init; }

    /// <summary>The chat id of a supergroup: -(10^12 + id), as the Bot API writes it.</summary>
    public static long ChatIdOf(long supergroupId) => -1_000_000_000_000L - supergroupId;
}
