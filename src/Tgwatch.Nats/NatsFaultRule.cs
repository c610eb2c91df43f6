using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Tgwatch.Faults;

namespace Tgwatch.Nats;

/// <summary>
/// Teaches the fault classifier NATS.Net's exceptions, by type and JetStream error code: a server that cannot be reached, that
/// has no JetStream answering yet (restarting), or that does not answer in time is a <see cref="FaultKind.Network"/> or
/// <see cref="FaultKind.Timeout"/> fault to wait out; the rest is left to the built-in rules.
/// </summary>
/// <remarks>Registered with <see cref="FaultClassifier.Register"/> as soon as this library is loaded.</remarks>
public sealed class NatsFaultRule : IFaultRule
{
    private static readonly Fault Network = new(FaultKind.Network);
    private static readonly Fault Timeout = new(FaultKind.Timeout);
    private const int StreamNotFound = 10059;

    /// <summary>The rule (it holds no state).</summary>
    public static NatsFaultRule Instance { get; } = new();

    private NatsFaultRule()
    {
    }

    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "NATS.Net's errors must be classified by whoever catches them, from the first one on.")]
    [ModuleInitializer]
    internal static void Register() => FaultClassifier.Register(Instance);

    /// <inheritdoc />
    public Fault? TryClassify(Exception exception) => exception switch
    {
        NatsTimeoutException or NatsJSTimeoutException => Timeout,
        NatsUnreachableException or NatsConnectionFailedException or NatsNoRespondersException or NatsNoReplyException or NatsJSPublishNoResponseException
            or NatsJSApiNoResponseException or NatsJSConnectionException => Network,
        // 503: JetStream is not (yet) available on the server, as while it restarts and recovers its store; a stream not found
        // is one that no runner has made yet: both are waited for like a server that is down.
        NatsJSApiException { Error.Code: 503 } or NatsJSApiException { Error.ErrCode: StreamNotFound } => Network,
        _ => null,
    };
}
