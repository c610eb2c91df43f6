using Tgwatch.Secrets;
using Microsoft.Extensions.Logging;

namespace Tgwatch.Sandbox;

/// <summary>How a <see cref="BotApiSandbox"/> starts.</summary>
public sealed class SandboxOptions
{
    /// <summary>The bot tokens it answers to (<c>123456:ABC…</c>); one generated token when empty.</summary>
    /// <value>Empty by default.</value>
    public IReadOnlyList<string> Tokens { get; init; } = [];

    /// <summary>The loopback port to listen on; 0 picks a free one.</summary>
    /// <value>0 by default.</value>
    public int Port { get; init; }

    /// <summary>Where logs go, tokens redacted; nowhere when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The clock of message dates, long-poll timeouts and fault durations.</summary>
    /// <value><see cref="TimeProvider.System"/> by default.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The id of each bot's first update.</summary>
    /// <value>1 by default.</value>
    public int FirstUpdateId { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first thing wrong.</summary>
    public void Validate()
    {
        if (Port is < 0 or > 65_535) throw new ArgumentException($"port {Port} is not between 0 and 65535", nameof(Port));
        if (FirstUpdateId < 1) throw new ArgumentException("the first update id must be positive", nameof(FirstUpdateId));
        foreach (var token in Tokens)
            if (!BotToken.IsWellFormed(token)) throw new ArgumentException("a token is not shaped like a bot token (digits, ':', then letters, digits, '_' or '-')", nameof(Tokens));
        if (Tokens.Select(BotToken.IdOf).Distinct().Count() != Tokens.Count) throw new ArgumentException("two tokens are for the same bot id", nameof(Tokens));
    }
}
