using System.CommandLine;
using Microsoft.Extensions.Logging;

namespace Tgwatch.Cli.Hosting;

/// <summary>Options several commands share: where the state is, which sinks, how to log.</summary>
internal sealed class CommonOptions
{
    public Option<string?> State { get; } = new("--state") { Description = "The state store: a file (default: tgwatch.db in the data directory) or postgres:CONNECTION-STRING" };

    public Option<string?> DataDir { get; } = new("--data-dir") { Description = "The data directory (default: ~/.local/share/tgwatch)" };

    public Option<SinkSpec[]> Sinks { get; } = new("--sink")
    {
        Description = "Where messages go: console, jsonl:PATH, sqlite:PATH, webhook:URL, nats:nats://HOST:PORT (repeatable)",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = result =>
        {
            var sinks = SinkSpec.ParseAll(result.Tokens.Select(t => t.Value));
            foreach (var problem in sinks.Problems) result.AddError(problem);
            return [.. sinks.Specs];
        },
    };

    public Option<string?> WebhookSecret { get; } = new("--webhook-secret")
    {
        Description = $"Key of the X-Tgwatch-Signature HMAC of webhook bodies (or env {WebhookSecretVariable})",
    };

    public Option<string?> WebhookTimeout { get; } = new("--webhook-timeout")
    {
        Description = "How long one webhook request may take before it is retried (e.g. 30s, 2m; default 30s)",
        Validators = { r => { if (WebhookTimeouts.Parse(r.GetValueOrDefault<string?>()) is (null, { } error)) r.AddError($"--webhook-timeout: {error}"); } },
    };

    // No default value factory: the help would show .NET's names of the levels; absent means info.
    public Option<LogLevel?> LogLevel { get; } = new("--log-level")
    {
        Description = "trace, debug, info, warn, error (default info)",
        HelpName = "trace|debug|info|warn|error",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
            if (CliLogging.ParseLevel(text) is { } level) return level;
            result.AddError($"--log-level expects trace, debug, info, warn or error, not '{text}'");
            return Microsoft.Extensions.Logging.LogLevel.Information;
        },
    };

    public Option<string> LogFormat { get; } = new("--log-format")
    {
        Description = "text or json (default text)",
        HelpName = "text|json",
    };

    public CommonOptions()
    {
        LogFormat.AcceptOnlyFromAmong("text", "json");
    }

    /// <summary>The environment variable that gives the webhook secret when <c>--webhook-secret</c> does not.</summary>
    public const string WebhookSecretVariable = "TGWATCH_WEBHOOK_SECRET";

    /// <summary>The webhook secret given: <c>--webhook-secret</c>, else <c>TGWATCH_WEBHOOK_SECRET</c> (null when neither or empty).</summary>
    public string? WebhookSecretGiven(ParseResult parse) =>
        parse.GetValue(WebhookSecret) ?? (Environment.GetEnvironmentVariable(WebhookSecretVariable) is { Length: > 0 } s ? s : null);

    /// <summary>The webhook secret given (<see cref="WebhookSecretGiven"/>), registered with the redactor.</summary>
    public string? SecretFrom(ParseResult parse)
    {
        var secret = WebhookSecretGiven(parse);
        Secrets.SecretRedactor.Default.Register(secret);
        return secret;
    }

    /// <summary>The <c>--webhook-timeout</c> given (validated by the parser), or null for the default.</summary>
    public TimeSpan? WebhookTimeoutFrom(ParseResult parse) => WebhookTimeouts.Parse(parse.GetValue(WebhookTimeout)).Value;

    public CliLogging Logging(ParseResult parse, TextWriter stderr, Noise.NoiseOptions? noise = null) =>
        new(stderr, parse.GetValue(LogLevel) ?? Microsoft.Extensions.Logging.LogLevel.Information, parse.GetValue(LogFormat) == "json", TimeProvider.System, noise);

    public string StatePath(ParseResult parse) => DataPaths.StatePath(parse.GetValue(State), parse.GetValue(DataDir));
}

/// <summary>Reads a webhook request timeout: <c>45s</c>, <c>2m</c>, <c>500ms</c>, a number of seconds, or <c>00:00:45</c>.</summary>
internal static class WebhookTimeouts
{
    /// <summary>The longest timeout accepted.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromHours(1);

    /// <summary>The timeout of <paramref name="text"/> (null when it is null or blank), or the reason it is not one, in the user's words.</summary>
    public static (TimeSpan? Value, string? Error) Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return (null, null);
        if (!SettingDuration.TryParse(text, out var value))
            return (null, $"expected a duration such as 30s, 2m or 00:00:30, not '{text}'");
        if (value < TimeSpan.FromMilliseconds(1) || value > Max)
            return (null, $"must be between 1ms and {Duration.Format(Max)}, not '{text}'");
        return (value, null);
    }
}
