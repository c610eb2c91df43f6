using System.Net;
using Telegram.Bot.Exceptions;
using Tgwatch.Faults;

namespace Tgwatch.BotApi;

/// <summary>Teaches the fault classifier Telegram.Bot's exceptions, by error code and HTTP status (never by text).</summary>
public sealed class TelegramBotFaultRule : IFaultRule
{
    /// <summary>A classifier that knows Telegram.Bot's exceptions.</summary>
    public static FaultClassifier Classifier { get; } = new([new TelegramBotFaultRule()]);

    /// <inheritdoc />
    public Fault? TryClassify(Exception exception) => exception switch
    {
        ApiRequestException { ErrorCode: 429 } api => new Fault(FaultKind.RateLimited, api.Parameters?.RetryAfter is { } s ? TimeSpan.FromSeconds(s) : null),
        ApiRequestException { ErrorCode: 401 or 403 } => new Fault(FaultKind.Auth),
        ApiRequestException { ErrorCode: >= 500 } => new Fault(FaultKind.Network),
        ApiRequestException => new Fault(FaultKind.Bug),
        // A failure below the API (no JSON answer). An error status decides first: a proxy's 502 page is not JSON,
        // and the parse error it causes says nothing about the fault. Otherwise the cause decides.
        RequestException { HttpStatusCode: HttpStatusCode.TooManyRequests } => new Fault(FaultKind.RateLimited),
        RequestException { HttpStatusCode: HttpStatusCode.RequestTimeout or HttpStatusCode.GatewayTimeout } => new Fault(FaultKind.Timeout),
        RequestException { HttpStatusCode: >= HttpStatusCode.InternalServerError } => new Fault(FaultKind.Network),
        _ => null,
    };
}
