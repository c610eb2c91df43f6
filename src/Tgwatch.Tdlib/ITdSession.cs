using System.Text.Json;
using System.Threading.Channels;
using Tgwatch.Tdlib.Functions;

namespace Tgwatch.Tdlib;

/// <summary>
/// What the login, the chat list and the connector need of a TDLib client: requests with answers, and the
/// stream of updates. <see cref="TdClient"/> is the real one; tests script one.
/// </summary>
public interface ITdSession
{
    /// <summary>
    /// Sends a TDLib function and returns TDLib's answer. An <c>error</c> answer throws
    /// <see cref="TdlibErrorException"/>; no answer within <paramref name="timeout"/> throws <see cref="TimeoutException"/>;
    /// a closed client throws <see cref="TdlibClientClosedException"/>.
    /// </summary>
    Task<JsonElement> SendAsync(TdFunction request, TimeSpan? timeout = null, CancellationToken ct = default);

    /// <summary>Every TDLib object that answers no request, in TDLib's order. Must be read steadily.</summary>
    ChannelReader<JsonElement> Updates { get; }
}
