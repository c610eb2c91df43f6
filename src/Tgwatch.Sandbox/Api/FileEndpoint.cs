using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tgwatch.Sandbox.Bots;
using Tgwatch.Sandbox.Faults;
using Tgwatch.Sandbox.Logging;
using Tgwatch.Secrets;

namespace Tgwatch.Sandbox.Api;

/// <summary>
/// <c>/file/bot{token}/{file_path}</c>: the bytes of a file whose path <c>getFile</c> gave (a bad token or an unknown path:
/// the Bot API's JSON error). Faults armed for method <c>file</c> (or for every method) apply: a drop or a dropped
/// response cuts the file off halfway, a stall sends half and then nothing, a rate limit or bad gateway answers so.
/// </summary>
internal sealed class FileEndpoint(IReadOnlyDictionary<string, BotState> bots, FaultPlan faults, SandboxRequestStats counters, ILogger logger, CancellationToken stopping)
{
    public const string Method = "file";

    public async Task HandleAsync(HttpContext context, string token, string path)
    {
        counters.Request(Method);
        if (!BotToken.IsWellFormed(token) || !bots.TryGetValue(token, out var bot))
        {
            await WriteAsync(context, BotToken.IsWellFormed(token) ? BotResponse.Unauthorized : BotResponse.NotFound).ConfigureAwait(false);
            return;
        }
        if (bot.Files.ByPath(path) is not { } file)
        {
            await WriteAsync(context, BotResponse.NotFound).ConfigureAwait(false);
            return;
        }
        var fault = faults.Take(Method);
        if (fault is not null)
        {
            counters.Fault(fault.Kind);
            Log.FaultApplied(logger, fault.Kind, Method);
        }
        switch (fault?.Kind)
        {
            case SandboxFaultKind.RateLimit:
                await WriteAsync(context, BotResponse.TooManyRequests(fault.RetryAfter ?? 1)).ConfigureAwait(false);
                return;
            case SandboxFaultKind.BadGateway:
                await WriteAsync(context, new BotResponse(502, ProxyPages.BadGateway, "text/html")).ConfigureAwait(false);
                return;
        }
        var bytes = FileStore.Content(file);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = bytes.Length;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            if (fault?.Kind is SandboxFaultKind.Drop or SandboxFaultKind.DropResponse or SandboxFaultKind.Stall)
            {
                await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), cancel.Token).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(cancel.Token).ConfigureAwait(false);
                if (fault.Kind == SandboxFaultKind.Stall) await Task.Delay(Timeout.Infinite, cancel.Token).ConfigureAwait(false);
                context.Abort();
                return;
            }
            await context.Response.Body.WriteAsync(bytes, cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            context.Abort();
            return;
        }
        Log.Answered(logger, context.Request.Method, Method, 200);
    }

    private async Task WriteAsync(HttpContext context, BotResponse response)
    {
        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = response.ContentType;
        context.Response.ContentLength = response.Body.Length;
        try { await context.Response.Body.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false); }
        catch (OperationCanceledException) { return; }
        Log.Answered(logger, context.Request.Method, Method, response.StatusCode);
    }
}
