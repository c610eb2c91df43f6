namespace Tgwatch.Pipeline;

/// <summary>Counters of a running pipeline: live, each read atomically (ARCHITECTURE §5).</summary>
public sealed class PipelineStats
{
    internal PipelineSinkStats[] sinks = [];
    internal long received, duplicates, caughtUp, filtered, written, handlerFailures, deadLetters, sinkRetries, repliesResolved, repliesUnresolved, replyUpdates, commits,
        mediaDownloaded, mediaBytes, mediaFailed;

    /// <summary>Deliveries taken from the connector (with a message).</summary>
    public long Received => Interlocked.Read(ref received);

    /// <summary>Deliveries skipped because their key was processed already (redelivery).</summary>
    public long Duplicates => Interlocked.Read(ref duplicates);

    /// <summary>Deliveries processed before, written only to the sinks that did not have them yet (a sink added since).</summary>
    public long CaughtUp => Interlocked.Read(ref caughtUp);

    /// <summary>Messages the filters turned away.</summary>
    public long Filtered => Interlocked.Read(ref filtered);

    /// <summary>Messages written to every sink.</summary>
    public long Written => Interlocked.Read(ref written);

    /// <summary>Each sink's own figures, in the order of the pipeline's sinks.</summary>
    public IReadOnlyList<PipelineSinkStats> Sinks => sinks;

    /// <summary>Handler calls that failed (each attempt).</summary>
    public long HandlerFailures => Interlocked.Read(ref handlerFailures);

    /// <summary>
    /// Dead letters the pipeline recorded (handlers, and sink writes that kept failing). A sink that delivers later on its
    /// own (the webhook's sender, after its outbox took the records) counts its dead letters itself; a run's total adds them.
    /// </summary>
    public long DeadLetters => Interlocked.Read(ref deadLetters);

    /// <summary>Sink writes retried after a transient fault.</summary>
    public long SinkRetries => Interlocked.Read(ref sinkRetries);

    /// <summary>Replies resolved within the deadline.</summary>
    public long RepliesResolved => Interlocked.Read(ref repliesResolved);

    /// <summary>Replies delivered unresolved.</summary>
    public long RepliesUnresolved => Interlocked.Read(ref repliesUnresolved);

    /// <summary>Replies resolved later in the background (a reply update written).</summary>
    public long ReplyUpdates => Interlocked.Read(ref replyUpdates);

    /// <summary>Batches committed.</summary>
    public long Commits => Interlocked.Read(ref commits);

    /// <summary>
    /// Files downloaded and placed (<c>--media</c>): each download counts once, however many messages name its file, and a
    /// record written again after a restart without a second download counts nothing.
    /// </summary>
    public long MediaDownloaded => Interlocked.Read(ref mediaDownloaded);

    /// <summary>The bytes of the files in <see cref="MediaDownloaded"/>.</summary>
    public long MediaBytes => Interlocked.Read(ref mediaBytes);

    /// <summary>Files written <c>media.state = "failed"</c>: too big (without a try), refused or gone, or out of attempts.</summary>
    public long MediaFailed => Interlocked.Read(ref mediaFailed);

    // Where the pipeline's parts record their timings (MessagePipeline.Timings; none: not recorded).
    internal PipelineTimings? Timings { get; set; }
}
