using Tgwatch.Nats;
using Tgwatch.Nats.Consumer;

namespace Tgwatch.Cli.Run;

/// <summary>
/// The <c>Nats</c> section: the durable JetStream consumer that <c>tgwatch consume</c> reads (the run's connector when
/// <see cref="RunSettings.Connector"/> is <c>nats</c>).
/// </summary>
internal sealed class NatsConsumeSettings
{
    /// <summary>The server: <c>nats://[user:password@]host:port</c>.</summary>
    public string? Url { get; set; }

    /// <summary>The stream (default TGWATCH).</summary>
    public string Stream { get; set; } = "TGWATCH";

    /// <summary>The durable consumer; processes on one durable share its messages.</summary>
    public string? Durable { get; set; }

    /// <summary>The subjects a durable created takes (default <c>tgwatch.&gt;</c>).</summary>
    public string Subject { get; set; } = "tgwatch.>";

    /// <summary>How long the server waits for an acknowledgement before it delivers a message again, for a durable created (default 30s).</summary>
    public string? AckWait { get; set; }

    /// <summary>How many messages may wait for their acknowledgement at once, for a durable created (default 1000).</summary>
    public int MaxAckPending { get; set; } = 1000;

    /// <summary>The server, read by <see cref="Problems"/>.</summary>
    internal NatsServerAddress? Address { get; private set; }

    /// <summary><see cref="AckWait"/> as read.</summary>
    internal TimeSpan AckWaitValue { get; private set; } = TimeSpan.FromSeconds(30);

    /// <summary>Reads and checks the section: one (key, problem) for each thing wrong; the server's credentials become secrets.</summary>
    public IEnumerable<(string Key, string Problem)> Problems()
    {
        if (string.IsNullOrWhiteSpace(Url)) yield return ("Nats.Url", "no nats-server: give --nats nats://HOST:4222");
        else if (!NatsServerAddress.TryParse(Url, out var address, out var error)) yield return ("Nats.Url", error);
        else
        {
            Address = address;
            foreach (var secret in address!.Secrets) Secrets.SecretRedactor.Default.Register(secret);
        }
        if (string.IsNullOrWhiteSpace(Durable)) yield return ("Nats.Durable", "no durable consumer: give --durable NAME (processes on one durable share its messages)");
        else if (!Subjects.IsStreamName(Durable)) yield return ("Nats.Durable", $"'{Durable}' is not a consumer name (letters, digits, - and _)");
        if (!Subjects.IsStreamName(Stream)) yield return ("Nats.Stream", $"'{Stream}' is not a stream name (letters, digits, - and _)");
        if (!Subjects.IsFilter(Subject)) yield return ("Nats.Subject", $"'{Subject}' is not a subject filter (tokens joined by dots, * for one token, > last for the rest)");
        if (AckWait is { } text)
        {
            if (Duration.TryParse(text, out var wait) && wait >= TimeSpan.FromSeconds(1) && wait <= TimeSpan.FromHours(12)) AckWaitValue = wait;
            else yield return ("Nats.AckWait", $"expected a duration from 1s to 12h (30s, 2m), not '{text}'");
        }
        if (MaxAckPending is < 1 or > 1_000_000) yield return ("Nats.MaxAckPending", "must be between 1 and 1000000");
    }

    /// <summary>The connector's options (after <see cref="Problems"/> found none).</summary>
    public JetStreamConnectorOptions ConnectorOptions() => new()
    {
        Address = Address ?? throw new InvalidOperationException("the Nats section was not read"),
        Stream = Stream,
        Durable = Durable!,
        FilterSubject = Subject,
        AckWait = AckWaitValue,
        MaxAckPending = MaxAckPending,
    };
}
