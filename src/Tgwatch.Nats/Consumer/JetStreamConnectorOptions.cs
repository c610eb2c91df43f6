namespace Tgwatch.Nats.Consumer;

/// <summary>Which durable consumer of which stream the <see cref="JetStreamConnector"/> reads, and how.</summary>
public sealed record JetStreamConnectorOptions
{
    /// <summary>The server, with its credentials.</summary>
    public required NatsServerAddress Address { get; init; }

    /// <summary>The stream.</summary>
    /// <value><c>TGWATCH</c>.</value>
    public string Stream { get; init; } = "TGWATCH";

    /// <summary>The durable pull consumer, created when absent; processes on one durable share its messages.</summary>
    public required string Durable { get; init; }

    /// <summary>The subjects the durable takes (for a durable it creates).</summary>
    /// <value><c>tgwatch.&gt;</c>.</value>
    public string FilterSubject { get; init; } = "tgwatch.>";

    /// <summary>How long the server waits for a message's acknowledgement before delivering it again (for a durable it creates).</summary>
    /// <value>30 seconds.</value>
    public TimeSpan AckWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many messages may wait for their acknowledgement at once, over every process of the durable (for a durable it creates): the back-pressure.</summary>
    /// <value>1,000.</value>
    public int MaxAckPending { get; init; } = 1000;

    /// <summary>
    /// How many messages one pull asks for. The server fills the pulls of a durable's processes in turn, so a smaller pull
    /// shares a trickle of messages more evenly; a larger one costs fewer requests.
    /// </summary>
    /// <value>64.</value>
    public int PullBatch { get; init; } = 64;

    /// <summary>
    /// How often the server says a pull is still open while it has nothing to deliver. Two missed in a row make the
    /// client ask again: that is how a pull lost with a server restart is noticed (the client asks again on reconnect only
    /// when most of its pull was filled), so it bounds the stall after one.
    /// </summary>
    /// <value>5 seconds (the client's own default is half of the pull's 30-second expiry: a 30-second stall).</value>
    public TimeSpan IdleHeartbeat { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a request to the server (and a connection attempt) may take.</summary>
    /// <value>5 seconds.</value>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the link may be unusable before that is said (a shorter drop is only counted).</summary>
    /// <value>5 seconds.</value>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first backoff step while the server or the stream is waited for.</summary>
    /// <value>250 milliseconds.</value>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest backoff step.</summary>
    /// <value>15 seconds.</value>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(15);
}
