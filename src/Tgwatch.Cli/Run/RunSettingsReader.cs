using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Tgwatch.Cli.Hosting;
using Tgwatch.Cli.Login;
using Tgwatch.Noise;
using Tgwatch.Validation;

namespace Tgwatch.Cli.Run;

/// <summary>
/// Reads <see cref="RunSettings"/> from <c>tgwatch.json</c> (or <c>--config</c>), the environment and the flags, and checks them
/// in one pass: the keys (<see cref="SettingsCheck"/>), the values written as text (read into their types here, once), and the
/// values' rules (a validator). Every problem is one line naming where the setting was written and its key, never its value;
/// all of them are said together in one <see cref="CliException"/> (exit code 2), so one edit can fix them all.
/// </summary>
internal static partial class RunSettingsReader
{
    /// <summary>The settings of <c>tgwatch run</c>, checked for everything a run needs.</summary>
    /// <param name="configFile">The <c>--config</c> file (default <c>./tgwatch.json</c> when it exists).</param>
    /// <param name="flags">The flags given, by configuration key (a null value is a flag not given).</param>
    /// <param name="chats">The <c>--chat</c> values: when given, they replace the configured list.</param>
    /// <param name="sinks">The <c>--sink</c> values: when given, they replace the configured list.</param>
    /// <param name="handlers">The <c>--handler</c> values: when given, they replace the configured list.</param>
    public static RunSettings ForRun(string? configFile, IDictionary<string, string?> flags, string[]? chats, string[]? sinks, string[]? handlers = null) =>
        Read(configFile, flags, chats, sinks, handlers, settings => [.. ValidatedOptions.Problems(new RunSettingsValidator().Validate(null, settings)), .. ReadText(settings)]);

    /// <summary>
    /// The settings of <c>tgwatch export</c>: a run's, read and checked the same way, but TDLib unless the connector is set
    /// (the Bot API cannot read a chat's history: that alone is said, in one line).
    /// </summary>
    public static RunSettings ForExport(string? configFile, IDictionary<string, string?> flags, string chat, string[]? sinks, string[]? handlers) =>
        Read(configFile, flags, [chat], sinks, handlers, settings => settings.Connector == "botapi"
            ? [new SettingProblem(null, "the Bot API cannot read a chat's history: export works through TDLib (tgwatch login, then tgwatch export --connector tdlib)")]
            : [.. ValidatedOptions.Problems(new RunSettingsValidator().Validate(null, settings)), .. ReadText(settings)],
            defaults: new Dictionary<string, string?> { ["Connector"] = "tdlib" });

    /// <summary>The settings of a command that opens a TDLib session without running (<c>login</c>, <c>chats</c>): the <c>Tdlib</c> section checked.</summary>
    public static RunSettings ForTdlib(string? configFile, IDictionary<string, string?> flags) =>
        Read(configFile, flags, null, null, null, settings => ValidatedOptions.Problems(new TdlibSettingsValidator().Validate(nameof(RunSettings.Tdlib), settings.Tdlib)));

    private static RunSettings Read(string? configFile, IDictionary<string, string?> flags, string[]? chats, string[]? sinks, string[]? handlers, Func<RunSettings, IReadOnlyList<SettingProblem>> check,
        IDictionary<string, string?>? defaults = null)
    {
        var builder = new ConfigurationBuilder();
        // A command's own defaults come first: the file, the environment and the flags all win over them.
        if (defaults is not null) builder.AddInMemoryCollection(defaults);
        var file = configFile ?? (File.Exists("tgwatch.json") ? "tgwatch.json" : null);
        if (file is not null)
        {
            if (!File.Exists(file)) throw new CliException(ExitCodes.Usage, $"configuration file {file} does not exist");
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }
        builder.AddEnvironmentVariables("TGWATCH__");
        var overrides = flags.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value);
        if (chats is { Length: > 0 }) for (var i = 0; i < chats.Length; i++) overrides[$"Chats:{i}"] = chats[i];
        if (sinks is { Length: > 0 }) for (var i = 0; i < sinks.Length; i++) overrides[$"Sinks:{i}"] = sinks[i];
        if (handlers is { Length: > 0 }) for (var i = 0; i < handlers.Length; i++) overrides[$"Handlers:{i}:Exec"] = handlers[i];
        builder.AddInMemoryCollection(overrides);
        IConfigurationRoot configuration;
        List<string> lines;
        var settings = new RunSettings();
        try
        {
            configuration = builder.Build();
            lines = SettingsCheck.Check(configuration, file, out var fitting);
            // A key under its old name is bound as the new one, and said at start.
            RenamedSettings.Apply(configuration, fitting, file, settings.Renamed).Bind(settings);
        }
        catch (InvalidDataException e)
        {
            // Where the file stops being JSON, without the line's text (it may hold a secret).
            var where = FindInner<System.Text.Json.JsonException>(e) is { LineNumber: { } line } json
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" (line {line + 1}, position {json.BytePositionInLine + 1})")
                : "";
            throw new CliException(ExitCodes.Usage, $"{file}: not valid JSON{where}");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // SettingsCheck has let through only what fits; should the binder still refuse a value, its own words would repeat it.
            var key = BinderKey().Match(e.Message);
            throw new CliException(ExitCodes.Usage, key.Success ? $"configuration: {key.Groups[1].Value}: cannot be read as a setting" : "configuration: a setting cannot be read");
        }
        // Flags replace a list from the file as a whole, not item by item.
        if (chats is { Length: > 0 }) settings.Chats = [.. chats];
        if (sinks is { Length: > 0 }) settings.Sinks = [.. sinks.Select(s => new SinkRoute { Sink = s })];
        if (handlers is { Length: > 0 }) settings.Handlers = [.. handlers.Select(h => new Handlers.HandlerSettings { Exec = h })];
        // Secrets are masked from here on, whatever else is wrong.
        Secrets.SecretRedactor.Default.Register(settings.BotApi.Token);
        Secrets.SecretRedactor.Default.Register(settings.Tdlib.ApiHash);
        Secrets.SecretRedactor.Default.Register(settings.WebhookSecret);
        Secrets.SecretRedactor.Default.Register(settings.Http.Token);
        // A flag names its kind of handler: exec: is the one there is.
        if (handlers?.Any(h => !h.TrimStart().StartsWith("exec:", StringComparison.Ordinal)) == true) lines.Add($"--handler: {Handlers.HandlerSpec.Expected}");
        var problems = check(settings);
        // A missing credential is often a key written wrong (BotApi:Tokn): it is said once the keys are right, not as a second lead.
        var keysRight = lines.Count == 0;
        lines.AddRange(problems.Where(p => p.Path is not null || keysRight).Select(p => Line(configuration, file, p)));
        if (lines.Count > 0) throw new CliException(ExitCodes.Usage, string.Join('\n', lines));
        return settings;
    }

    /// <summary>
    /// Reads the settings written as text into their types (the sinks, the webhook timeout, the noise gate's first record);
    /// a value that cannot be read is a problem of its key.
    /// </summary>
    private static List<SettingProblem> ReadText(RunSettings settings)
    {
        var routes = settings.Sinks.Count > 0 ? settings.Sinks : [new SinkRoute { Sink = "console" }];
        var sinks = SinkSpec.ParseAll(routes.Select(r => r.Sink ?? ""));
        var problems = sinks.Problems.Select(p => new SettingProblem(nameof(RunSettings.Sinks), p)).ToList();
        var routeProblems = new List<(string Key, string Problem)>();
        // Each sink with the filters of its route (the specs come in the order of the routes when all could be read).
        settings.SinkSpecs = sinks.Problems.Count > 0 ? sinks.Specs
            : [.. sinks.Specs.Select((spec, i) => spec with { Route = routes[i].Filters($"Sinks.{i}", routeProblems) })];
        problems.AddRange(routeProblems.Select(p => new SettingProblem(p.Key, p.Problem)));
        var handlers = Handlers.HandlerSpec.ParseAll(settings.Handlers);
        settings.HandlerSpecs = handlers.Specs;
        problems.AddRange(handlers.Problems.Select(p => new SettingProblem(p.Key, p.Problem)));
        var (timeout, timeoutError) = WebhookTimeouts.Parse(settings.WebhookTimeout);
        settings.WebhookRequestTimeout = timeout;
        if (timeoutError is not null) problems.Add(new SettingProblem(nameof(RunSettings.WebhookTimeout), timeoutError));
        var (media, mediaProblems) = settings.Media.Read();
        settings.MediaOptions = media;
        if (media is not null && settings.Connector == "nats")
            mediaProblems.Add(("Media.Dir", "tgwatch consume has no files to download: the runner that publishes the records downloads them"));
        problems.AddRange(mediaProblems.Select(p => new SettingProblem(p.Key, p.Problem)));
        var (every, everyError) = HeartbeatLine.Parse(settings.Heartbeat);
        settings.HeartbeatEvery = every;
        if (everyError is not null) problems.Add(new SettingProblem(nameof(RunSettings.Heartbeat), everyError));
        if (settings.Lease is { } lease)
        {
            if (!SettingDuration.TryParse(lease, out var leaseTime))
                problems.Add(new SettingProblem(nameof(RunSettings.Lease), $"expected a duration such as 10s or 1m, not '{lease}'"));
            else if (leaseTime < TimeSpan.FromSeconds(2) || leaseTime > TimeSpan.FromMinutes(10))
                problems.Add(new SettingProblem(nameof(RunSettings.Lease), $"must be between 2s and 10m, not '{lease}'"));
            else if (!Hosting.PostgresState.Is(settings.State))
                problems.Add(new SettingProblem(nameof(RunSettings.Lease), "a lease is shared through a state store in PostgreSQL: give --state postgres:CONNECTION-STRING too (a local state store has one runner)"));
            else settings.LeaseTime = leaseTime;
        }
        if (settings.Noise.First is { } first)
        {
            if (FirstRecords.Parse(first) is { } firstRecord) settings.NoiseOptions = settings.NoiseOptions with { First = firstRecord };
            else problems.Add(new SettingProblem("Noise.First", $"expected {FirstRecords.Accepted}, not '{first}'"));
        }
        if (settings.Http.Listen is { } listen)
        {
            settings.HttpListen = Http.HttpListen.Parse(listen, out var listenError);
            if (listenError is not null) problems.Add(new SettingProblem("Http.Listen", listenError));
            else if (!settings.HttpListen!.IsLoopback && string.IsNullOrWhiteSpace(settings.Http.Token))
                problems.Add(new SettingProblem("Http.Listen", "an address other than loopback needs a token: set Http:Token (env TGWATCH__HTTP__TOKEN), which clients send as Authorization: Bearer TOKEN"));
        }
        return problems;
    }

    /// <summary>A problem as the user reads it: where the setting was written, its key, what is wrong.</summary>
    private static string Line(IConfigurationRoot configuration, string? file, SettingProblem problem)
    {
        if (problem.Path is null) return problem.Problem;
        // A setting written under its old name is named so (BotApi:MaxBackoffSeconds), its problem as that name's values read.
        var (where, key) = SettingsCheck.Named(configuration, file, problem.Path.Replace('.', ':'));
        var said = key == problem.Path.Replace('.', ':') ? problem.Problem : RenamedSettings.Problem(key, problem.Problem);
        return $"{where}{key}: {said}";
    }

    private static T? FindInner<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException) if (e is T found) return found;
        return null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@" at '([^']*)'")]
    private static partial System.Text.RegularExpressions.Regex BinderKey();
}
