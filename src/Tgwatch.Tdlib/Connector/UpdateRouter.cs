using System.Text.Json;
using Tgwatch.Connectors;
using Tgwatch.Tdlib.Connector.Feeds;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Tdlib.Connector;

/// <summary>
/// The update loop: drains the session's updates without ever waiting on the pipeline, handing each message to its
/// chat's feed (a full queue is left to the chat's catch-up), connection states to the <see cref="ConnectionWatch"/>.
/// </summary>
internal sealed class UpdateRouter(
    ITdSession session, TdUpdateReader reader, ChatFeeds feeds, ConnectionWatch connection, MalformedObjects malformed,
    TdlibConnectorStats stats, TimeProvider time, Action<Exception> fail, Func<Health.Heartbeat?> heartbeat,
    Func<TdlibChatPoster?> poster, TdFileWatch files)
{
    private int _routing; // 1 while the loop hands out what it has taken from the session's updates
    private TaskCompletionSource _routedPass = NewPass(); // completed each time the loop has emptied the session's updates

    /// <summary>Reads the session's updates until <paramref name="ct"/> is cancelled; anything that ends it early ends the stream.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (await session.Updates.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                // Busy while it hands out what came (it never waits on the pipeline), idle while it waits for TDLib.
                heartbeat()?.Beat(TdlibConnector.ConnectorName);
                Volatile.Write(ref _routing, 1);
                while (session.Updates.TryRead(out var update))
                    Handle(update);
                PassDone();
                heartbeat()?.Idle(TdlibConnector.ConnectorName);
            }
            if (!ct.IsCancellationRequested) fail(new ConnectorException("TDLib closed the client"));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            fail(e);
        }
        finally
        {
            PassDone();
            heartbeat()?.Idle(TdlibConnector.ConnectorName);
        }
    }

    /// <summary>
    /// Waits until every update TDLib sent before now has been handed to its chat. TDLib sends the updates a change
    /// causes before the answers that show it (a new message's update before a getChat answer with it as the last
    /// message), but the update loop reads them on its own: after such an answer, this says when the chats know them.
    /// </summary>
    public async Task RoutedAsync(CancellationToken ct)
    {
        var pass = Volatile.Read(ref _routedPass);
        var updates = session.Updates;
        // Read in this order: an update taken from the queue after the count is taken within a pass still running.
        var waiting = !updates.CanCount || updates.Count > 0;
        if (!waiting && Volatile.Read(ref _routing) == 0) return;
        await pass.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    private static TaskCompletionSource NewPass() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void PassDone()
    {
        Volatile.Write(ref _routing, 0);
        Interlocked.Exchange(ref _routedPass, NewPass()).TrySetResult();
    }

    private void Handle(JsonElement update)
    {
        Interlocked.Increment(ref stats.updates);
        switch (reader.Read(update))
        {
            case TdNewMessage { Message: var m }:
                Interlocked.Increment(ref stats.newMessages);
                Route(m.ChatId, new LiveNew(m));
                break;
            case TdMessageSendSucceeded sent:
                // A message this client sent now has its server id: from here it is a new message like any other (the
                // poster knows it as its own first, so no alert sink alerts it again).
                poster()?.Succeeded(sent.Message.ChatId, sent.OldTdMessageId, sent.Message.Message.MessageId);
                Interlocked.Increment(ref stats.newMessages);
                Route(sent.Message.ChatId, new LiveNew(sent.Message));
                break;
            case TdMessageSendFailed failed:
                Interlocked.Increment(ref stats.other);
                poster()?.Failed(failed.ChatId, failed.OldTdMessageId, failed.Code, failed.Error);
                break;
            case TdMessageEdited e:
                Interlocked.Increment(ref stats.edits);
                Route(e.ChatId, new LiveEdit(e.TdMessageId));
                break;
            case TdMessagesDeleted d:
                if (d.FromCache || !d.IsPermanent)
                {
                    Interlocked.Increment(ref stats.deletionsIgnored);
                    break;
                }
                Interlocked.Add(ref stats.deletions, d.TdMessageIds.Count);
                Route(d.ChatId, new LiveDelete(d.TdMessageIds, time.GetUtcNow()));
                break;
            case TdConnectionChanged c:
                if (connection.OnConnection(c.State))
                {
                    // Back after a drop: every chat catches up from its position.
                    Interlocked.Increment(ref stats.reconnects);
                    feeds.CatchUpAll();
                }
                break;
            case TdFileUpdated f:
                files.Offer(f.File);
                break;
            case TdAuthorizationChanged a when a.StateType != "authorizationStateReady":
                throw new TdlibAuthorizationLostException(a.StateType);
            case TdMalformedUpdate bad:
                malformed.Count(bad.Type ?? "?", bad.Reason);
                break;
            default:
                // Content changes are followed by updateMessageEdited; directory updates fed the reader.
                Interlocked.Increment(ref stats.other);
                break;
        }
    }

    private void Route(long chatId, LiveItem item)
    {
        var feed = feeds.FeedOf(chatId, create: false);
        if (feed is null)
        {
            Interlocked.Increment(ref stats.notWatched);
            return;
        }
        if (!feed.Offer(item)) Interlocked.Increment(ref stats.liveOverflows);
    }
}
