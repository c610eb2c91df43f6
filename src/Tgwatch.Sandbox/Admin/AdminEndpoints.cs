using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Tgwatch.Sandbox.Bots;
using Tgwatch.Sandbox.Faults;
using Tgwatch.Sandbox.Logging;
using Tgwatch.Sandbox.Wire;

namespace Tgwatch.Sandbox.Admin;

/// <summary>
/// The admin API under <c>/sandbox/</c> (not part of the Bot API): inject messages, edits, channel posts and bulk
/// messages; renumber the next updates (as after a week without updates); list what was injected and what bots sent; arm and clear faults; read the counters.
/// Errors are <c>{"error":"…"}</c> with 400 (bad request) or 404 (no such bot, chat or message).
/// </summary>
internal sealed class AdminEndpoints(IReadOnlyList<BotState> bots, FaultPlan faults, SandboxRequestStats counters, ILogger logger)
{
    public void Map(IEndpointRouteBuilder app)
    {
        Post(app, "/sandbox/messages", context => Handle<InjectMessage>(context, r => Injected(Bot(r.BotId).Inject(r, channel: false), r.BotId)));
        Post(app, "/sandbox/channel-posts", context => Handle<InjectMessage>(context, r => Injected(Bot(r.BotId).Inject(r, channel: true), r.BotId)));
        Post(app, "/sandbox/edits", context => Handle<InjectEdit>(context, r => Injected(Bot(r.BotId).Edit(r), r.BotId)));
        Post(app, "/sandbox/messages/bulk", context => Handle<InjectBulk>(context, r =>
        {
            var bot = Bot(r.BotId);
            var result = bot.Bulk(r);
            Log.InjectedBulk(logger, result.Count, bot.Id, result.FirstUpdateId, result.LastUpdateId);
            return result;
        }));
        Post(app, "/sandbox/update-ids", context => Handle<RenumberUpdates>(context, r =>
        {
            if (r.Next < 1) throw new AdminException(400, "next must be at least 1");
            var bot = Bot(r.BotId);
            bot.RenumberUpdates(r.Next);
            return new Dictionary<string, int> { ["next"] = r.Next };
        }));
        Get(app, "/sandbox/injected", context => Answer(context, () => Bot(BotIdQuery(context)).Injected()));
        Get(app, "/sandbox/sent", context => Answer(context, () => Bot(BotIdQuery(context)).Sent(), WireJson.Options));
        Post(app, "/sandbox/faults", context => Handle<FaultRequest>(context, Arm));
        app.MapDelete("/sandbox/faults", Counted(context => Answer(context, () => new Dictionary<string, int> { ["cleared"] = faults.Clear() })));
        Get(app, "/sandbox/stats", context => Answer(context, Stats));
    }

    private void Post(IEndpointRouteBuilder app, string path, RequestDelegate handler) => app.MapPost(path, Counted(handler));

    private void Get(IEndpointRouteBuilder app, string path, RequestDelegate handler) => app.MapGet(path, Counted(handler));

    /// <summary>Counts the request, then handles it (what the sandbox served at its end includes what was asked of the admin API).</summary>
    private RequestDelegate Counted(RequestDelegate handler) => context =>
    {
        counters.AdminRequest();
        return handler(context);
    };

    public SandboxStats Stats() =>
        new(counters.Requests, counters.AdminRequests, counters.Faults, counters.ByMethod, counters.ByFault, [.. bots.Select(b => b.Stats())]);

    private ArmedFault Arm(FaultRequest request)
    {
        if (request.Count is < 1) throw new AdminException(400, "count must be at least 1");
        if (request.DurationSeconds is <= 0 or > 86_400) throw new AdminException(400, "duration_seconds must be above 0 and at most 86400");
        if (request.RetryAfter is < 0) throw new AdminException(400, "retry_after must not be negative");
        if (request.Kind == SandboxFaultKind.Malformed)
        {
            if (request.DurationSeconds is not null || request.Method is not null)
                throw new AdminException(400, "malformed updates are queued now: give count (and shape), not duration_seconds or method");
            var count = request.Count ?? 1;
            if (count > 10_000) throw new AdminException(400, "count of malformed updates must be at most 10000");
            var ids = Bot(request.BotId).InjectMalformed(request.Shape ?? MalformedShape.WrongType, count);
            counters.Fault(SandboxFaultKind.Malformed, count);
            Log.FaultArmed(logger, request.Kind, count, null, null);
            return new ArmedFault(faults.NextId(), SandboxFaultKind.Malformed, count, null, null, ids);
        }
        if (request.Shape is not null || request.BotId is not null)
            throw new AdminException(400, "shape and bot_id go with malformed faults only");
        var armed = faults.Arm(request);
        Log.FaultArmed(logger, armed.Kind, armed.Count, armed.Until, armed.Method);
        return armed;
    }

    private InjectedUpdate Injected(InjectedUpdate injected, long? botId)
    {
        Log.Injected(logger, injected.Kind, Bot(botId).Id, injected.ChatId, injected.MessageId, injected.UpdateId);
        return injected;
    }

    private BotState Bot(long? id) =>
        id is null ? bots[0] : bots.FirstOrDefault(b => b.Id == id) ?? throw new AdminException(404, $"no bot {id}");

    private static long? BotIdQuery(HttpContext context) =>
        context.Request.Query["bot_id"].ToString() is { Length: > 0 } text
            ? long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : throw new AdminException(400, "bot_id must be a number")
            : null;

    private static async Task Handle<TRequest>(HttpContext context, Func<TRequest, object> run) where TRequest : class
    {
        TRequest request;
        try
        {
            request = await AdminRequestReader.ReadAsync<TRequest>(context).ConfigureAwait(false);
        }
        catch (AdminException e)
        {
            await Error(context, e.StatusCode, e.Message).ConfigureAwait(false);
            return;
        }
        await Answer(context, () => run(request)).ConfigureAwait(false);
    }

    private static async Task Answer<T>(HttpContext context, Func<T> run, JsonSerializerOptions? options = null)
    {
        T result;
        try { result = run(); }
        catch (AdminException e)
        {
            await Error(context, e.StatusCode, e.Message).ConfigureAwait(false);
            return;
        }
        context.Response.ContentType = "application/json";
        // Handlers typed object answer their result's own type.
        var type = typeof(T) == typeof(object) && result is not null ? result.GetType() : typeof(T);
        await JsonSerializer.SerializeAsync(context.Response.Body, result, type, options ?? AdminJson.Lenient, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task Error(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new Dictionary<string, string> { ["error"] = message }, AdminJson.Lenient, context.RequestAborted).ConfigureAwait(false);
    }
}
