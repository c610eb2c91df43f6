using System.Globalization;

namespace Tgwatch.Messages;

/// <summary>The one place the idempotency key of a message is made (DESIGN §7).</summary>
public static class MessageKey
{
    /// <summary><c>account:chat_id:message_id:kind:edit_date</c>, plus <c>:reply</c> for a reply update.</summary>
    public static string Of(TgMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var edit = message.EditDate is { } e ? e.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) : "";
        var key = string.Create(CultureInfo.InvariantCulture,
            $"{message.Account}:{message.Chat.Id}:{message.MessageId}:{KindName(message.Kind)}:{edit}");
        return message.IsReplyUpdate ? key + ":reply" : key;
    }

    /// <summary>The JSON name of a kind: new, edit, delete.</summary>
    public static string KindName(MessageKind kind) => kind switch
    {
        MessageKind.New => "new",
        MessageKind.Edit => "edit",
        MessageKind.Delete => "delete",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
