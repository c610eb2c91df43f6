using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Tgwatch.Cli.Login;
using Tgwatch.Formatting;
using Tgwatch.Pipeline.Filters;
using Tgwatch.Pipeline;
using Tgwatch.Tdlib.Connector;

namespace Tgwatch.Cli.Run;

/// <summary>
/// The rules of <c>tgwatch run</c>'s settings, every problem at once: each section by its own validator (the rules on its
/// settings; <c>Pipeline</c> by the library's <see cref="PipelineOptionsValidator"/>), and what depends on the connector. A
/// problem's path is the setting's key with dots (<c>Pipeline.BatchSize</c>); a missing credential is a line of its own.
/// </summary>
internal sealed class RunSettingsValidator : IValidateOptions<RunSettings>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, RunSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new ValidateOptionsResultBuilder();
        switch (options.Connector)
        {
            case "tdlib":
                problems.AddResult(new TdlibSettingsValidator().Validate(nameof(RunSettings.Tdlib), options.Tdlib));
                foreach (var chat in options.Chats)
                    if (!ChatSpec.TryParse(chat, out _, out var error)) problems.AddResult(Problem(nameof(RunSettings.Chats), error));
                break;
            case "botapi":
                if (string.IsNullOrEmpty(options.BotApi.Token))
                    problems.AddResult(new ValidationResult("no bot token: give --bot-token, set TGWATCH__BOTAPI__TOKEN, or BotApi.Token in tgwatch.json"));
                else if (!Secrets.BotToken.IsWellFormed(options.BotApi.Token))
                    problems.AddResult(Problem("BotApi.Token", Secrets.BotToken.Expected));
                foreach (var chat in options.Chats)
                {
                    try
                    {
                        _ = new ChatFilter([chat]);
                    }
                    catch (ArgumentException e)
                    {
                        problems.AddResult(Problem(nameof(RunSettings.Chats), TextLines.FirstLine(e.Message)));
                    }
                }
                break;
            case "nats":
                // tgwatch consume: the records come from JetStream; alerts (telegram:CHAT) go out through a bot.
                foreach (var (key, problem) in options.Nats.Problems()) problems.AddResult(Problem(key, problem));
                if (options.Sinks.Any(s => s.Sink?.TrimStart().StartsWith("telegram:", StringComparison.OrdinalIgnoreCase) == true) && string.IsNullOrEmpty(options.BotApi.Token))
                    problems.AddResult(new ValidationResult("a telegram:CHAT sink posts through a bot: give --bot-token, set TGWATCH__BOTAPI__TOKEN, or BotApi.Token in tgwatch.json"));
                foreach (var chat in options.Chats)
                {
                    try
                    {
                        _ = new ChatFilter([chat]);
                    }
                    catch (ArgumentException e)
                    {
                        problems.AddResult(Problem(nameof(RunSettings.Chats), TextLines.FirstLine(e.Message)));
                    }
                }
                break;
            default:
                problems.AddResult(Problem(nameof(RunSettings.Connector), $"'{options.Connector}' is not one of botapi, tdlib"));
                break;
        }
        problems.AddResult(new BotApiSettingsValidator().Validate(nameof(RunSettings.BotApi), options.BotApi));
        problems.AddResult(new PipelineOptionsValidator().Validate(nameof(RunSettings.Pipeline), options.Pipeline));
        return problems.Build();
    }

    private static ValidationResult Problem(string path, string problem) => new(problem, [path]);
}
