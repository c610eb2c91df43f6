using Tgwatch.Connectors;
using Tgwatch.Faults;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector;

/// <summary>
/// Reads a replied-to message for the pipeline: <c>getRepliedMessage</c> when the replying message is remembered, else
/// <c>getMessage</c>; a message that is gone says so, the other failures are classified for the pipeline's retries.
/// </summary>
internal sealed class ReplyLookup(ITdSession session, TdUpdateReader reader, ReplyOrigins origins, TdlibConnectorStats stats, TimeSpan timeout)
{
    public async ValueTask<ReplyResult> ResolveAsync(MessageRef reply, CancellationToken ct)
    {
        TdFunction request = origins.TryGet(reply, out var origin)
            ? new GetRepliedMessage(origin.ChatId, origin.TdMessageId)
            : new GetMessage(reply.ChatId, TdMessageIds.FromServerId(reply.MessageId));
        Interlocked.Increment(ref stats.replyLookups);
        try
        {
            var answer = await session.SendAsync(request, timeout, ct).ConfigureAwait(false);
            var mapped = reader.ReadMessage(answer, MessageKind.New, out var malformed);
            if (mapped is null)
            {
                Interlocked.Increment(ref stats.malformed);
                return ReplyResult.Failed(FaultKind.Bug, malformed ?? "unreadable message");
            }
            return ReplyResult.Resolved(mapped.Message.TextOrCaption);
        }
        catch (TdlibErrorException e) when (e.Code is 400 or 404)
        {
            return ReplyResult.Gone;
        }
        catch (TdlibErrorException e) when (e.Code == 429)
        {
            Interlocked.Increment(ref stats.rateLimited);
            return ReplyResult.Failed(FaultKind.RateLimited, e.Message);
        }
        catch (TdlibErrorException e)
        {
            return ReplyResult.Failed(FaultKind.Network, e.Message);
        }
        catch (TimeoutException e)
        {
            return ReplyResult.Failed(FaultKind.Timeout, e.Message);
        }
    }
}
