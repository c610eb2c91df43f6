using System.CommandLine;
using System.CommandLine.Parsing;
using Tgwatch.Cli.Commands;

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
            LoginCommand.Create(),
            ChatsCommand.Create(),
            Demo.DemoCommand.Create(),
            QuietCommand.Create(),
            ImportCommand.Create(),
            StatusCommand.Create(),
            DeadLettersCommand.Create(),
            OutboxCommand.Create(),
            SandboxCommand.Create(),
        };
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
            : parsed.Errors[0].Message;
        if (error is not null)
        {
            var command = parsed.CommandResult.Command;
            var path = command == root ? "tgwatch" : $"tgwatch {command.Name}";
            await stderr.WriteLineAsync($"{path}: {error} (see '{path} --help')").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, ProcessTerminationTimeout = null };
        return await parsed.InvokeAsync(config).ConfigureAwait(false);
    }

    /// <summary>The error for an argument before any '--' that starts with '-': an option the command does not know.</summary>
    private static string? OptionLikeArgument(ParseResult parsed)
    {
        foreach (var token in parsed.Tokens)
        {
            if (token.Type == TokenType.DoubleDash) return null;
            if (token.Type == TokenType.Argument && token.Value.Length > 1 && token.Value[0] == '-')
                return $"unknown option '{token.Value}' (a program to run goes after '--')";
        }
        return null;
    }
}
