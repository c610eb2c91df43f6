using System.CommandLine;
using System.CommandLine.Parsing;
using Tgwatch.Cli.Commands;
using Tgwatch.Formatting;

namespace Tgwatch.Cli;

/// <summary>The <c>tgwatch</c> command line: its commands, and the usage-error convention (one line, exit code 2).</summary>
public static class TgwatchCli
{
    /// <summary>Builds the command tree.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("Tgwatch: a Telegram message monitor that stays correct and quiet on a bad network.")
        {
            Run.RunCommand.Create(),
            Run.ConsumeCommand.Create(),
            LoginCommand.Create(),
            ChatsCommand.Create(),
            Demo.DemoCommand.Create(),
            QuietCommand.Create(),
            ImportCommand.Create(),
            Export.ExportCommand.Create(),
            StatusCommand.Create(),
            DeadLettersCommand.Create(),
            OutboxCommand.Create(),
            SandboxCommand.Create(),
        };
        var version = root.Options.OfType<VersionOption>().Single();
        version.Description = "Show Tgwatch's version, the TDLib it finds and the .NET runtime";
        version.Action = new VersionAction();
        return root;
    }

    /// <summary>Parses <paramref name="args"/> and runs the chosen command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = Build();
        // No response files: "@name" is a chat's username (--chat @news, --search @news), not a file of arguments.
        var parsed = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var error = parsed.Errors.Count == 0 ? OptionLikeArgument(parsed)
            : parsed.UnmatchedTokens.Count > 0 ? $"unknown option or argument '{parsed.UnmatchedTokens[0]}'"
            : InUserWords(parsed.Errors[0].Message);
        if (error is not null)
        {
            var path = CommandPath(parsed.CommandResult);
            await stderr.WriteLineAsync($"{path}: {error} (see '{path} --help')").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        // A failure nobody expected reaches Program, which says it once, masked.
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        return await parsed.InvokeAsync(config).ConfigureAwait(false);
    }

    /// <summary>What is printed when the program fails in a way nobody expected (a bug): one line, then where it happened.</summary>
    public static string CrashText(Exception? e) => e is null
        ? "tgwatch: stopped by an unexpected failure (a bug)"
        : $"tgwatch: stopped by an unexpected failure (a bug): {e.GetType().Name}: {TextLines.FirstLine(e.Message)}{Environment.NewLine}{e.StackTrace}";

    /// <summary><c>tgwatch deadletters replay</c> for that command's result.</summary>
    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = c.Parent) names.Insert(0, c.Parent is null ? "tgwatch" : c.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary>A parse error of System.CommandLine in the words of this program.</summary>
    private static string InUserWords(string message)
    {
        if (message.StartsWith("Required argument missing for option: '", StringComparison.Ordinal))
            return $"{message["Required argument missing for option: '".Length..].TrimEnd('.', '\'')} needs a value";
        if (message.StartsWith("Option '", StringComparison.Ordinal) && message.EndsWith("' is required.", StringComparison.Ordinal))
            return $"{message["Option '".Length..^"' is required.".Length]} is required";
        return message.TrimEnd('.');
    }

    /// <summary>
    /// The error for an argument of the command (not an option's value) before any '--' that starts with '-': an option the
    /// command does not know (for <c>quiet</c>, whose arguments are a program to run, it may be one meant for that program).
    /// </summary>
    private static string? OptionLikeArgument(ParseResult parsed)
    {
        var arguments = parsed.CommandResult.Children.OfType<ArgumentResult>()
            .SelectMany(a => a.Tokens.Select(t => (Token: t, a.Argument.Name)))
            .ToDictionary(a => (object)a.Token, a => a.Name, ReferenceEqualityComparer.Instance);
        foreach (var token in parsed.Tokens)
        {
            if (token.Type == TokenType.DoubleDash) return null;
            if (token.Value.Length > 1 && token.Value[0] == '-' && arguments.TryGetValue(token, out var name))
                return name == "command" ? $"unknown option '{token.Value}' (a program to run goes after '--')" : $"unknown option '{token.Value}'";
        }
        return null;
    }
}
