using Tgwatch.Messages;

namespace Tgwatch.Tdlib.Connector;

/// <summary>Replying messages by the message they reply to, so <c>getRepliedMessage</c> can be asked (bounded, oldest out first).</summary>
internal sealed class ReplyOrigins(int capacity)
{
    private readonly Dictionary<MessageRef, (long ChatId, long TdMessageId)> _map = [];
    private readonly Queue<MessageRef> _order = new();
    private readonly Lock _sync = new();

    public void Add(MessageRef reply, long chatId, long tdMessageId)
    {
        if (capacity == 0) return;
        lock (_sync)
        {
            if (!_map.ContainsKey(reply)) _order.Enqueue(reply);
            _map[reply] = (chatId, tdMessageId);
            while (_order.Count > capacity) _map.Remove(_order.Dequeue());
        }
    }

    public bool TryGet(MessageRef reply, out (long ChatId, long TdMessageId) origin)
    {
        lock (_sync) return _map.TryGetValue(reply, out origin);
    }
}
