using System.Globalization;
using Tgwatch.Pipeline;
using Tgwatch.Pipeline.Filters;

namespace Tgwatch.Cli.Handlers;

/// <summary>
/// One entry of <c>Handlers</c> in <c>tgwatch.json</c> (or one <c>--handler exec:COMMAND</c>): a program that handles each
/// message it takes, and the messages it takes (the filters of a route; none: every message). A string alone is the command.
/// </summary>
[Run.SettingShorthand(nameof(Exec))]
internal sealed class HandlerSettings : Run.RouteSettings
{
    /// <summary>The command: <c>python3 handler.py</c> (<c>exec:</c> before it is allowed).</summary>
    public string? Exec { get; set; }

    /// <summary>How long the program may take to answer one message (<c>30s</c>, <c>2m</c>, <c>00:00:30</c>; default 30 s).</summary>
    public string? Timeout { get; set; }

    /// <summary>Messages given to the program before it answers any (default 1).</summary>
    public int MaxInFlight { get; set; } = 1;
}

/// <summary>A handler as read from its settings: what to run, and the filters of its route.</summary>
internal sealed record HandlerSpec(ExecHandlerOptions Exec, IReadOnlyList<IMessageFilter> Filters)
{
    /// <summary>What a command looks like, in words.</summary>
    public const string Expected = "expected exec:COMMAND, such as exec:python3 handler.py";

    /// <summary>Reads the entries; each problem is one line with the key it is about (<c>Handlers.0.Exec</c>).</summary>
    public static (List<HandlerSpec> Specs, List<(string Key, string Problem)> Problems) ParseAll(IReadOnlyList<HandlerSettings> settings)
    {
        var specs = new List<HandlerSpec>();
        var problems = new List<(string, string)>();
        for (var i = 0; i < settings.Count; i++)
        {
            var s = settings[i];
            var key = $"Handlers.{i}";
            var command = s.Exec?.Trim() ?? "";
            if (command.StartsWith("exec:", StringComparison.Ordinal)) command = command["exec:".Length..].Trim();
            var arguments = CommandWords.Split(command, out var unclosed);
            if (arguments is null)
            {
                problems.Add(($"{key}.Exec", $"{unclosed}: {Expected}"));
                continue;
            }
            if (arguments.Count == 0)
            {
                problems.Add(($"{key}.Exec", Expected));
                continue;
            }
            var timeout = TimeSpan.FromSeconds(30);
            if (!string.IsNullOrWhiteSpace(s.Timeout)
                && !Hosting.SettingDuration.TryParse(s.Timeout, out timeout))
                problems.Add(($"{key}.Timeout", $"expected a duration such as 30s or 2m, not '{s.Timeout}'"));
            else if (timeout < TimeSpan.FromMilliseconds(100) || timeout > TimeSpan.FromHours(1))
                problems.Add(($"{key}.Timeout", "must be between 100ms and an hour"));
            if (s.MaxInFlight is < 1 or > 1024) problems.Add(($"{key}.MaxInFlight", "must be between 1 and 1024"));
            var filters = s.Filters(key, problems);
            specs.Add(new HandlerSpec(new ExecHandlerOptions { Command = CommandWords.Join(arguments), Arguments = arguments, Timeout = timeout, MaxInFlight = Math.Clamp(s.MaxInFlight, 1, 1024) }, filters));
        }
        return (specs, problems);
    }
}

/// <summary>A handler that takes only the messages its route's filters keep; the others are done for it as they are.</summary>
internal sealed class RoutedHandler(IMessageHandler inner, IReadOnlyList<IMessageFilter> filters, Microsoft.Extensions.Logging.ILogger logger) : IMessageHandler
{
    public string Name => inner.Name;

    public TimeSpan? Timeout => inner.Timeout;

    public ValueTask HandleAsync(Messages.TgMessage message, CancellationToken ct)
    {
        return MessageFilters.KeepAll(filters, message, logger) ? inner.HandleAsync(message, ct) : ValueTask.CompletedTask;
    }
}
