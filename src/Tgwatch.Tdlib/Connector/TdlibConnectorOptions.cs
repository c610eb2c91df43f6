using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Tgwatch.Validation;

namespace Tgwatch.Tdlib.Connector;

/// <summary>Settings of a <see cref="TdlibConnector"/>.</summary>
public sealed record TdlibConnectorOptions
{
    /// <summary>The account the records carry, e.g. <c>user777</c> (the logged-in user's id) or <c>bot123</c>.</summary>
    [NotBlank]
    public required string Account { get; init; }

    /// <summary>The chats to watch, each a chat id (<c>-1001234567890</c>) or a public @username; empty: every chat the account receives messages in.</summary>
    [ChatSpecs]
    public IReadOnlyList<string> Chats { get; init; } = [];

    /// <summary>Messages asked for per <c>getChatHistory</c> call while catching up (TDLib allows at most 100).</summary>
    [Between(2, 100)]
    public int HistoryPageSize { get; init; } = 100;

    /// <summary>
    /// Live updates held per chat while that chat catches up or its consumer is slow. When it is full, new messages
    /// are not held: the chat catches up from its history instead (nothing is lost, the update thread never waits).
    /// </summary>
    [Between(1, int.MaxValue)]
    public int LiveQueueCapacity { get; init; } = 1000;

    /// <summary>Deliveries ready for the pipeline, over all chats.</summary>
    [Between(1, int.MaxValue)]
    public int OutputCapacity { get; init; } = 256;

    /// <summary>Our own limit for one TDLib request (TDLib itself waits for the network without end).</summary>
    [Duration(Positive = true)]
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First backoff step after a failed request; it doubles up to <see cref="MaxBackoff"/>, each wait in the upper half of its step.</summary>
    [Duration(Positive = true)]
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest backoff step between retries of a failed request.</summary>
    [NotShorterThan(nameof(MinBackoff))]
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the link may be down before that is worth a log line (shorter drops are only counted).</summary>
    [Duration(AtLeast = "00:00:00")]
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Replying messages remembered for <c>getRepliedMessage</c> (the oldest are forgotten first).</summary>
    [Between(0, int.MaxValue)]
    public int ReplyOriginCapacity { get; init; } = 10_000;

    /// <summary>Checks the settings (<see cref="TdlibConnectorOptionsValidator"/>).</summary>
    /// <exception cref="ArgumentException">A setting is wrong; the message has one line for each, naming it.</exception>
    public TdlibConnectorOptions Validate() => new TdlibConnectorOptionsValidator().Check(this);
}

/// <summary>Checks <see cref="TdlibConnectorOptions"/> by the rules on its settings, every problem at once.</summary>
[OptionsValidator]
public sealed partial class TdlibConnectorOptionsValidator : IValidateOptions<TdlibConnectorOptions>;

/// <summary>Chats each of which <see cref="ChatSpec.TryParse"/> reads; the problem names every one it does not.</summary>
internal sealed class ChatSpecsAttribute : SettingAttribute
{
    /// <inheritdoc />
    protected override string? Problem(object? value, ValidationContext context)
    {
        var errors = (value as IEnumerable<string> ?? []).Select(c => ChatSpec.TryParse(c, out _, out var error) ? null : error).OfType<string>().ToList();
        return errors.Count > 0 ? string.Join("; ", errors) : null;
    }
}

/// <summary>A chat to watch as given by the user: an id or a public username.</summary>
/// <param name="Id">The chat id, when given as one.</param>
/// <param name="Username">The username without '@', when given as one.</param>
public readonly record struct ChatSpec(long? Id, string? Username)
{
    /// <summary>Reads <c>-100123…</c>, <c>123</c> or <c>@name</c> (letters, digits, underscores, 4–32 characters).</summary>
    public static bool TryParse(string text, out ChatSpec spec, out string error)
    {
        spec = default;
        error = "";
        var t = text?.Trim() ?? "";
        if (long.TryParse(t, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var id) && id != 0)
        {
            spec = new ChatSpec(id, null);
            return true;
        }
        var name = t.StartsWith('@') ? t[1..] : "";
        if (name.Length is >= 4 and <= 32 && char.IsAsciiLetter(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            spec = new ChatSpec(null, name);
            return true;
        }
        error = $"chat '{text}': expected a chat id (e.g. -1001234567890) or a public @username";
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => Id is { } id ? id.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"@{Username}";
}
