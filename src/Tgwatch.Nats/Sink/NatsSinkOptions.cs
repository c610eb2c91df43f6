namespace Tgwatch.Nats.Sink;

/// <summary>
/// Where and how the <see cref="NatsSink"/> publishes: the server, the stream (created when absent) and the subjects, the
/// waits. <see cref="FromAddress"/> reads the options of a <c>nats:</c> sink's query (<c>stream</c>, <c>subject</c>, <c>duplicate_window</c>).
/// </summary>
public sealed record NatsSinkOptions
{
    /// <summary>The query options of a <c>nats:</c> sink's address.</summary>
    public static readonly string[] AddressOptions = ["stream", "subject", "duplicate_window"];

    /// <summary>The server, with its credentials.</summary>
    public required NatsServerAddress Address { get; init; }

    /// <summary>The stream the records go to; created when absent.</summary>
    /// <value><c>TGWATCH</c>.</value>
    public string Stream { get; init; } = "TGWATCH";

    /// <summary>The first token of the subjects: a record goes to <c>SUBJECT.&lt;account&gt;.&lt;chat_id&gt;</c>; a stream created takes <c>SUBJECT.&gt;</c>.</summary>
    /// <value><c>tgwatch</c>.</value>
    public string Subject { get; init; } = "tgwatch";

    /// <summary>How long the stream remembers a <c>Nats-Msg-Id</c> to drop a record published again (for a stream it creates).</summary>
    /// <value>10 minutes.</value>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long one publish waits for its acknowledgement (and a connection attempt for the server).</summary>
    /// <value>5 seconds.</value>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The first backoff step after a failed attempt.</summary>
    /// <value>250 milliseconds.</value>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest backoff step.</summary>
    /// <value>15 seconds.</value>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The sink's name (the same in every run for the same server and stream, with no credentials in it).</summary>
    public string Name => NameOverride ?? $"nats:{Address.ForLog}/{Stream}";

    /// <summary>A name of the caller's instead of <see cref="Name"/>'s default.</summary>
    public string? NameOverride { get; init; }

    /// <summary>The options of <paramref name="address"/>'s query over the defaults; the error is one line for the user.</summary>
    /// <param name="address">A <c>nats:</c> sink's address, read with <see cref="AddressOptions"/>.</param>
    /// <param name="options">The options, when they could be read.</param>
    /// <param name="error">What is wrong with them.</param>
    public static bool FromAddress(NatsServerAddress address, out NatsSinkOptions options, out string error)
    {
        ArgumentNullException.ThrowIfNull(address);
        options = new NatsSinkOptions { Address = address };
        error = "";
        if (address.Options.TryGetValue("stream", out var stream))
        {
            if (!Subjects.IsStreamName(stream))
            {
                error = $"stream '{stream}' is not a stream name (letters, digits, - and _)";
                return false;
            }
            options = options with { Stream = stream };
        }
        if (address.Options.TryGetValue("subject", out var subject))
        {
            if (!Subjects.IsPrefix(subject))
            {
                error = $"subject '{subject}' is not a subject prefix (tokens of letters, digits, - and _ joined by dots, no wildcards)";
                return false;
            }
            options = options with { Subject = subject };
        }
        if (address.Options.TryGetValue("duplicate_window", out var window))
        {
            if (!Duration.TryParse(window, out var value) || value < TimeSpan.FromSeconds(1))
            {
                error = $"duplicate_window '{window}' is not a duration of at least 1s (10m, 2h)";
                return false;
            }
            options = options with { DuplicateWindow = value };
        }
        return true;
    }
}
