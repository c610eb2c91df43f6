using System.Globalization;
using Telegram.Bot;
using Telegram.Bot.Exceptions;
using Telegram.Bot.Types;
using Tgwatch.Connectors;

namespace Tgwatch.BotApi;

/// <summary>
/// Posts plain-text messages through the Bot API's <c>sendMessage</c> (no <c>parse_mode</c>, no link preview) and forwards
/// messages with <c>forwardMessage</c>, with the run's
/// token and server. Telegram's error answers are results (<see cref="PostResult.Error"/>); a failure below the API is thrown.
/// </summary>
public sealed class BotApiChatPoster : IChatPoster, IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TelegramBotClient _client;

    /// <summary>A poster with the token and server of <paramref name="options"/>.</summary>
    /// <param name="options">The bot's token and server (the rest is the connector's).</param>
    /// <param name="http">The HTTP client to post with; by default one of its own, disposed with the poster.</param>
    /// <exception cref="ArgumentException">An option is invalid (one line naming it).</exception>
    public BotApiChatPoster(BotApiOptions options, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options = options.Validate();
        _ownsHttp = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30), ConnectTimeout = TimeSpan.FromSeconds(15) })
        {
            Timeout = Timeout.InfiniteTimeSpan, // the caller's token bounds each post
        };
        _client = new TelegramBotClient(new TelegramBotClientOptions(options.Token, options.ApiUrl.GetLeftPart(UriPartial.Authority)) { RetryCount = 0 }, _http);
        Secrets.SecretRedactor.Default.Register(options.Token);
    }

    /// <inheritdoc />
    public ValueTask<PostResult> PostAsync(string chat, string text, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(chat);
        ArgumentNullException.ThrowIfNull(text);
        return AnswerOf(_client.SendMessage(ChatOf(chat), text, linkPreviewOptions: new LinkPreviewOptions { IsDisabled = true }, cancellationToken: ct));
    }

    /// <inheritdoc />
    public ValueTask<PostResult> ForwardAsync(string chat, long fromChatId, long messageId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(chat);
        return AnswerOf(_client.ForwardMessage(ChatOf(chat), fromChatId, checked((int)messageId), cancellationToken: ct));
    }

    private static ChatId ChatOf(string chat) =>
        long.TryParse(chat, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id) ? new ChatId(id) : new ChatId(chat);

    /// <summary>Telegram's answer to a request: its error answers are results, a failure below the API is thrown.</summary>
    private static async ValueTask<PostResult> AnswerOf(Task<Message> request)
    {
        try
        {
            await request.ConfigureAwait(false);
            return PostResult.Posted;
        }
        catch (ApiRequestException e)
        {
            return PostResult.Error(e.ErrorCode, e.Message, e.Parameters?.RetryAfter is { } s ? TimeSpan.FromSeconds(s) : null);
        }
        catch (RequestException e) when (e.HttpStatusCode is { } status && (int)status >= 400)
        {
            // An error status without Telegram's JSON answer (a proxy's page): its status says what it is.
            return PostResult.Error((int)status, status.ToString());
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
