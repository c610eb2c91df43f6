using Tgwatch.Connectors;
using Tgwatch.Messages;
using Tgwatch.Storage;

namespace Tgwatch.Pipeline;

/// <summary>What became of a delivery on its way through the pipeline.</summary>
internal enum WorkState
{
    /// <summary>Not decided yet.</summary>
    Pending,

    /// <summary>To be written to the sinks.</summary>
    Write,

    /// <summary>Processed before (or in flight already): completes without a write.</summary>
    Duplicate,

    /// <summary>Turned away by a filter: completes without a write.</summary>
    Filtered,

    /// <summary>A position without a message: completes at once.</summary>
    Skip,

    /// <summary>A reply resolved in the background: written, then its pending entry removed.</summary>
    ReplyUpdate,
}

/// <summary>A delivery (or a reply update) in the pipeline.</summary>
internal sealed class WorkItem
{
    public WorkItem(Delivery delivery)
    {
        Delivery = delivery;
        Message = delivery.Message;
        Key = delivery.Message?.Key;
        LegacyKey = delivery.Message is { } m ? MessageKey.LegacyOf(m) : null;
        State = delivery.Message is null ? WorkState.Skip : WorkState.Pending;
    }

    public WorkItem(TgMessage update, PendingReply pending)
    {
        Message = update;
        Key = update.Key;
        State = WorkState.ReplyUpdate;
        Pending = pending;
        Committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Its place in the intake (0, 1, 2… in each run); -1 for a reply update, which has none.</summary>
    public long Sequence { get; set; } = -1;

    /// <summary>The delivery; null for a reply update.</summary>
    public Delivery? Delivery { get; }

    /// <summary>The message as it goes on (its reply resolved, when that worked).</summary>
    public TgMessage? Message { get; set; }

    /// <summary>The message's idempotency key.</summary>
    public string? Key { get; }

    /// <summary>The key an edit had in stores written before edits were keyed by their content, or null.</summary>
    public string? LegacyKey { get; }

    /// <summary>
    /// The sinks to write it to: null for every sink; else those that do not have it yet (a message processed before,
    /// delivered again, for a sink added since), and its handlers do not run again.
    /// </summary>
    public IReadOnlyList<string>? Targets { get; set; }

    /// <summary>What became of it.</summary>
    public WorkState State { get; set; }

    /// <summary>Its reply could not be resolved in time: store it for the background resolver once committed.</summary>
    public bool RetryReply { get; set; }

    /// <summary>Its media is written pending: store its download for the downloader once committed.</summary>
    public bool RetryDownload { get; set; }

    /// <summary>True when this item holds its key in the in-flight set.</summary>
    public bool HoldsKey { get; set; }

    /// <summary>For a reply (or media) update: the pending entry it resolves (or ends).</summary>
    public PendingReply? Pending { get; }

    /// <summary>For a reply update: completed once it is written and committed.</summary>
    public TaskCompletionSource? Committed { get; }
}
