using Microsoft.Extensions.Logging;
using Tgwatch.Faults;

namespace Tgwatch.Nats;

/// <summary>
/// The log events of the NATS sink and the JetStream connector (ids 3800–3899). Servers are said as <c>nats://host:port</c>
/// only: credentials never reach a line.
/// </summary>
internal static partial class NatsLog
{
    [LoggerMessage(3801, LogLevel.Information, "{Sink}: created stream {Stream} on {Server} (subjects {Subjects}, file storage, duplicate window {Window})")]
    private static partial void StreamCreated(ILogger logger, string sink, string stream, string server, string subjects, string window);

    public static void StreamCreated(ILogger logger, string sink, string stream, string server, string subjects, TimeSpan window) =>
        StreamCreated(logger, sink, stream, server, subjects, Duration.Format(window));

    [LoggerMessage(EventId = 3802, Message = "{Sink}: publishing to {Server} failed ({Fault}: {Reason}); retrying with backoff; nothing is committed meanwhile")]
    public static partial void PublishFailing(ILogger logger, LogLevel level, string sink, string server, FaultKind fault, string reason, Exception? exception);

    [LoggerMessage(3803, LogLevel.Information, "{Sink}: publishing to {Server} again after {Attempts} failed attempts over {Duration}")]
    private static partial void PublishRecovered(ILogger logger, string sink, string server, long attempts, string duration);

    public static void PublishRecovered(ILogger logger, string sink, string server, long attempts, TimeSpan duration) =>
        PublishRecovered(logger, sink, server, attempts, Duration.Format(duration));

    [LoggerMessage(3804, LogLevel.Debug, "{Sink}: attempt {Attempt} failed ({Fault}: {Reason}); next in {Delay}")]
    private static partial void AttemptFailed(ILogger logger, string sink, int attempt, FaultKind fault, string reason, string delay);

    public static void AttemptFailed(ILogger logger, string sink, int attempt, FaultKind fault, string reason, TimeSpan delay) =>
        AttemptFailed(logger, sink, attempt, fault, reason, Duration.Format(delay));

    [LoggerMessage(3810, LogLevel.Warning, "consume {Stream}/{Durable}: down since {Since:u} ({Fault}: {Reason}); waiting for it with backoff")]
    public static partial void Down(ILogger logger, string stream, string durable, DateTime since, FaultKind fault, string reason);

    [LoggerMessage(3811, LogLevel.Information, "consume {Stream}/{Durable}: receiving again after {Downtime}")]
    public static partial void Up(ILogger logger, string stream, string durable, string downtime);

    [LoggerMessage(3816, LogLevel.Information, "consume {Stream}/{Durable}: an acknowledgement could not be sent ({Fault}: {Reason}); the next commit sends it again, or its message comes again after the ack wait and is dropped as a duplicate (more such are counted)")]
    public static partial void AckLost(ILogger logger, string stream, string durable, FaultKind fault, string reason);

    [LoggerMessage(3815, LogLevel.Information, "consume {Stream}/{Durable}: {Drops} short drop(s) in the last {Window}, all recovered within {Grace}")]
    public static partial void ShortDrops(ILogger logger, string stream, string durable, int drops, string window, string grace);

    [LoggerMessage(3812, LogLevel.Information, "consume {Stream}/{Durable}: created the durable consumer on {Server} (filter {Filter}, ack wait {AckWait}, at most {MaxAckPending} unacknowledged)")]
    private static partial void ConsumerCreated(ILogger logger, string stream, string durable, string server, string filter, string ackWait, int maxAckPending);

    public static void ConsumerCreated(ILogger logger, string stream, string durable, string server, string filter, TimeSpan ackWait, int maxAckPending) =>
        ConsumerCreated(logger, stream, durable, server, filter, Duration.Format(ackWait), maxAckPending);

    [LoggerMessage(3813, LogLevel.Warning, "consume {Stream}/{Durable}: message {Sequence} on {Subject} is not a record and is acknowledged without being written: {Reason}")]
    public static partial void NotARecord(ILogger logger, string stream, string durable, ulong sequence, string subject, string reason);

    [LoggerMessage(3814, LogLevel.Warning, "consume {Stream}/{Durable}: {Count} messages were not records (acknowledged without being written)")]
    public static partial void NotRecords(ILogger logger, string stream, string durable, long count);
}
