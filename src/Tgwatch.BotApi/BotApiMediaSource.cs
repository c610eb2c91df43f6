using System.Net;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Tgwatch.Media;
using Tgwatch.Messages;

namespace Tgwatch.BotApi;

/// <summary>
/// Downloads a message's file through the Bot API: <c>getFile</c> for its path, then <c>/file/bot&lt;token&gt;/&lt;path&gt;</c>.
/// The Bot API serves files up to 20 MB (<see cref="MaxFileSize"/>); <c>getFile</c>'s refusal of a file (too big, an id
/// it does not know) and a path that is gone are <see cref="MediaUnavailableException"/>s, anything else is retried; a
/// download whose bytes stop coming for <see cref="StallTimeout"/> is given up for now (a <see cref="TimeoutException"/>).
/// </summary>
public sealed class BotApiMediaSource : IMediaSource, IDisposable
{
    /// <summary>The largest file a bot can download: 20 MB.</summary>
    public const long BotApiMaxFileSize = 20L * 1024 * 1024;

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TelegramBotClient _client;

    /// <summary>A source with the token and server of <paramref name="options"/>.</summary>
    /// <param name="options">The bot's token and server (the rest is the connector's).</param>
    /// <param name="http">The HTTP client to download with; by default one of its own, disposed with the source.</param>
    /// <exception cref="ArgumentException">An option is invalid (one line naming it).</exception>
    public BotApiMediaSource(BotApiOptions options, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Validate();
        _ownsHttp = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(15) })
        {
            Timeout = TimeSpan.FromMinutes(10), // 20 MB on a slow link; a stalled download is retried after this
        };
        _client = new TelegramBotClient(new TelegramBotClientOptions(options.Token, options.ApiUrl.GetLeftPart(UriPartial.Authority)) { RetryCount = 0 }, _http);
        Secrets.SecretRedactor.Default.Register(options.Token);
    }

    /// <inheritdoc />
    public long? MaxFileSize => BotApiMaxFileSize;

    /// <inheritdoc />
    public async ValueTask DownloadAsync(MediaFile file, Stream destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(destination);
        string path;
        try
        {
            var had = await _client.GetFile(file.Id, ct).ConfigureAwait(false);
            path = had.FilePath ?? throw new MediaUnavailableException("Telegram gave no path for the file");
        }
        catch (ApiRequestException e) when (e.ErrorCode == 400)
        {
            throw new MediaUnavailableException(e.Message.Contains("too big", StringComparison.OrdinalIgnoreCase)
                ? $"too big: the Bot API serves files up to 20 MB ({e.Message})"
                : $"Telegram refused the file: {e.Message}", e);
        }
        // The client's time-out ends a request whose answer does not begin; one whose bytes stop coming is ended here.
        using var stalled = CancellationTokenSource.CreateLinkedTokenSource(ct);
        stalled.CancelAfter(StallTimeout);
        try
        {
            await _client.DownloadFile(path, new WriteThroughStream(destination, _ => stalled.CancelAfter(StallTimeout)), stalled.Token).ConfigureAwait(false);
        }
        catch (RequestException e) when (e.HttpStatusCode == HttpStatusCode.NotFound)
        {
            throw new MediaUnavailableException("not found: the file is gone from the Bot API", e);
        }
        catch (Exception e) when (e is OperationCanceledException or RequestException && stalled.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"no byte came for {Duration.Format(StallTimeout)}", e);
        }
    }

    /// <summary>
    /// How long a download may go without a byte before it is given up for now (and tried again with the media's backoff).
    /// <value>Default: 1 minute.</value>
    /// </summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
