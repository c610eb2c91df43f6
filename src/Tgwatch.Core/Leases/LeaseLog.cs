using Microsoft.Extensions.Logging;
using Tgwatch.Faults;

namespace Tgwatch.Leases;

/// <summary>The lease's log events (stable ids).</summary>
internal static partial class LeaseLog
{
    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "standby: {Lease} is active on {Host} pid {Pid} since {Since:u}; taking over if it stops renewing its lease ({Ttl})")]
    public static partial void Standby(ILogger logger, string lease, string host, int pid, DateTime since, string ttl);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Information, Message = "active: {Lease} (lease generation {Generation}, {Ttl})")]
    public static partial void Active(ILogger logger, string lease, long generation, string ttl);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Warning, Message = "active: {Lease} taken over from {Host} pid {Pid}, whose lease ran out (lease generation {Generation}); going on from its last checkpoint")]
    public static partial void TookOver(ILogger logger, string lease, string host, int pid, long generation);

    [LoggerMessage(EventId = 3404, Level = LogLevel.Error, Message = "lost the lease of {Lease}: {Reason}; this runner commits nothing more and waits as standby")]
    public static partial void Lost(ILogger logger, string lease, string reason);

    [LoggerMessage(EventId = 3405, Level = LogLevel.Warning, Message = "the lease of {Lease} cannot be renewed or taken ({Fault}): {Reason}; trying again every {Every}")]
    public static partial void StoreFailing(ILogger logger, string lease, FaultKind fault, string reason, string every);

    [LoggerMessage(EventId = 3406, Level = LogLevel.Information, Message = "released the lease of {Lease}: a standby takes over at once")]
    public static partial void Released(ILogger logger, string lease);
}
