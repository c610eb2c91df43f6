using System.Globalization;
using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Updates;
using Tgwatch.TestKit;

namespace Tgwatch.Tdlib.Tests.Connector;

/// <summary>What the connector tests share: two chats, a connector over a <see cref="TdWorld"/> with short waits, positions and ids.</summary>
internal static class ConnectorTesting
{
    public const long News = -1001234567890;
    public const long Talk = -1009876543210;
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    /// <summary>A connector watching <paramref name="chats"/> (default: News) with backoffs of milliseconds.</summary>
    public static TdlibConnector NewConnector(TdWorld world, IReadOnlyList<string>? chats = null, Func<TdlibConnectorOptions, TdlibConnectorOptions>? tune = null,
        TimeProvider? time = null, CollectingLoggerProvider? logs = null, Tgwatch.Health.Heartbeat? heartbeat = null)
    {
        var options = new TdlibConnectorOptions
        {
            Account = "user5001",
            Chats = chats ?? [News.ToString(CultureInfo.InvariantCulture)],
            MinBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(100),
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        options = tune?.Invoke(options) ?? options;
        var logger = logs?.CreateLogger("Tgwatch.Tdlib.Connector");
        return new TdlibConnector(world.Session, new TdUpdateReader(options.Account), options, logger, time) { Heartbeat = heartbeat };
    }

    /// <summary>Committed positions: one chat at one position.</summary>
    public static IReadOnlyDictionary<string, long> At(long chatId, long position) => new Dictionary<string, long> { [TdlibConnector.StreamOf(chatId)] = position };

    /// <summary>The ids of the new messages delivered (of one chat, when given).</summary>
    public static List<long> Ids(IEnumerable<Delivery> got, long? chat = null) =>
        [.. got.Where(d => d.Message is { Kind: MessageKind.New } && (chat is null || d.Message.Chat.Id == chat)).Select(d => d.Message!.MessageId)];
}
