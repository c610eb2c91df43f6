using Tgwatch.Secrets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tgwatch.Sandbox.Bots;
using Tgwatch.Sandbox.Faults;
using Tgwatch.Sandbox.Logging;

namespace Tgwatch.Sandbox.Api;

/// <summary>
/// <c>/bot{token}/{method}</c>: counts the request, applies an armed fault, checks the token (malformed: 404,
/// unknown: 401) and the method (unknown: 404), reads the parameters and runs the method.
/// </summary>
internal sealed class BotEndpoint(IReadOnlyDictionary<string, BotState> bots, FaultPlan faults, SandboxRequestStats counters, ILogger logger, CancellationToken stopping)
{
    /// <summary>Method names are case-insensitive in the Bot API; these are their documented spellings.</summary>
    private static readonly Dictionary<string, string> Methods = new[]
    {
        "getMe", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo", "sendMessage", "forwardMessage", "getChat", "getFile",
    }.ToDictionary(m => m, StringComparer.OrdinalIgnoreCase);

    public async Task HandleAsync(HttpContext context, string token, string method)
    {
        var known = Methods.GetValueOrDefault(method);
        var name = known ?? "unknown";
        counters.Request(name);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var fault = faults.Take(known ?? method);
        if (fault is not null)
        {
            counters.Fault(fault.Kind);
            Log.FaultApplied(logger, fault.Kind, name);
            switch (fault.Kind)
            {
                case SandboxFaultKind.RateLimit:
                    await WriteAsync(context, BotResponse.TooManyRequests(fault.RetryAfter ?? 1), name).ConfigureAwait(false);
                    return;
                case SandboxFaultKind.BadGateway:
                    await WriteAsync(context, new BotResponse(502, ProxyPages.BadGateway, "text/html"), name).ConfigureAwait(false);
                    return;
                case SandboxFaultKind.Drop:
                    context.Abort();
                    return;
                case SandboxFaultKind.Stall:
                    try { await Task.Delay(Timeout.Infinite, cancel.Token).ConfigureAwait(false); }
                    catch (OperationCanceledException) { }
                    context.Abort();
                    return;
            }
        }
        BotResponse response;
        try
        {
            response = await InvokeAsync(context.Request, token, known, cancel.Token).ConfigureAwait(false);
        }
        catch (BadRequestException e)
        {
            response = e.Response;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The client went away, or the sandbox is stopping: nobody is left to answer.
            context.Abort();
            return;
        }
        if (fault?.Kind == SandboxFaultKind.DropResponse)
        {
            context.Abort();
            return;
        }
        await WriteAsync(context, response, name).ConfigureAwait(false);
    }

    private async Task<BotResponse> InvokeAsync(HttpRequest request, string token, string? method, CancellationToken ct)
    {
        if (!BotToken.IsWellFormed(token)) return BotResponse.NotFound;
        if (!bots.TryGetValue(token, out var bot)) return BotResponse.Unauthorized;
        if (method is null) return BotResponse.NotFound;
        var p = await BotParameters.ReadAsync(request, ct).ConfigureAwait(false);
        return method switch
        {
            "getMe" => BotResponse.Ok(bot.Me),
            "getUpdates" => await bot.GetUpdatesAsync(
                p.GetInt64("offset"),
                Math.Clamp(p.GetInt32("limit") ?? 100, 1, 100),
                Math.Clamp(p.GetInt32("timeout") ?? 0, 0, BotState.MaxPollSeconds),
                p.GetStringArray("allowed_updates"),
                ct).ConfigureAwait(false),
            "setWebhook" => bot.SetWebhook(p.GetString("url"), p.GetStringArray("allowed_updates"), p.GetBoolean("drop_pending_updates")),
            "deleteWebhook" => bot.DeleteWebhook(p.GetBoolean("drop_pending_updates")),
            "getWebhookInfo" => bot.WebhookInfo(),
            "sendMessage" => bot.SendMessage(p),
            "forwardMessage" => bot.ForwardMessage(p),
            "getChat" => bot.GetChat(p),
            "getFile" => bot.GetFile(p.GetString("file_id")),
            _ => BotResponse.NotFound,
        };
    }

    private async Task WriteAsync(HttpContext context, BotResponse response, string method)
    {
        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = response.ContentType;
        context.Response.ContentLength = response.Body.Length;
        try { await context.Response.Body.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false); }
        catch (OperationCanceledException) { return; }
        Log.Answered(logger, context.Request.Method, method, response.StatusCode);
    }
}
