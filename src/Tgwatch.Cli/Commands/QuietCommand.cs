using System.CommandLine;
using System.Runtime.InteropServices;
using Tgwatch.Cli.Processes;
using Tgwatch.Noise;
using Tgwatch.Noise.Rules;

namespace Tgwatch.Cli.Commands;

/// <summary><c>tgwatch quiet</c>: collapses transport noise in a text stream or a child's output (ARCHITECTURE §1).</summary>
internal static class QuietCommand
{
    public static Command Create()
    {
        var defaults = new NoiseOptions();
        var window = DurationOption.Create("--window", "At most one summary per fault kind per window", defaults.Window);
        var burstGap = DurationOption.Create("--burst-gap", "A burst of noise ends after this long without a repeat", defaults.BurstGap);
        var first = FirstRecordOption.Create("--first", "What becomes of the first record of each burst of noise");
        var rules = new Option<string[]>("--rules")
        {
            Description = "A rule pack file (JSON) to use before the built-in packs; repeatable",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
        };
        var stats = new Option<bool>("--stats")
        {
            Description = "At the end, write one accounting line (lines in, passed, suppressed) to stderr",
        };
        var listRules = new Option<bool>("--list-rules") { Description = "List the loaded rules and exit" };
        var command = new Argument<string[]>("command")
        {
            Description = "Program and arguments to run, after '--'; its stdout and stderr are filtered to stdout. Without it, stdin is filtered",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var quiet = new Command("quiet", "Filter a log stream (stdin, or a program run after '--'): repeated network noise becomes counted summaries, everything else passes byte for byte")
        {
            window, burstGap, first, rules, stats, listRules, command,
        };
        quiet.SetAction((parse, ct) => RunAsync(
            new NoiseOptions { Window = parse.GetValue(window), BurstGap = parse.GetValue(burstGap), First = parse.GetValue(first) ?? defaults.First },
            parse.GetValue(rules) ?? [],
            parse.GetValue(stats),
            parse.GetValue(listRules),
            parse.GetValue(command) ?? [],
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error));
        return quiet;
    }

    private static async Task<int> RunAsync(NoiseOptions options, string[] ruleFiles, bool stats, bool listRules, string[] command, TextWriter listing, TextWriter stderr)
    {
        NoiseRules rules;
        try { rules = NoiseRules.Load(ruleFiles); }
        catch (RulePackException e)
        {
            await stderr.WriteLineAsync($"tgwatch quiet: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        if (listRules)
        {
            // A listing is output (for grep and files), not a diagnostic.
            foreach (var line in rules.Describe()) await listing.WriteLineAsync(line).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        // The buffer sits above the guard, so a failed write is caught even when a flush makes it.
        var output = new GuardedOutput(Console.OpenStandardOutput());
        var stdout = new BufferedStream(output, 64 * 1024);
        var pump = new NoisePump(rules, options, TimeProvider.System, stdout);
        int exitCode;
        if (command.Length == 0)
        {
            using var stop = new CancellationTokenSource();
            using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            try
            {
                await pump.RunAsync([Console.OpenStandardInput()], stop.Token).ConfigureAwait(false);
                exitCode = ExitCodes.Ok;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped by a signal: the pump wrote what it could within its grace time; the output
                // is not flushed again (a reader of our stdout that stopped reading must not keep us).
                return 130;
            }
        }
        else
        {
            ChildProcess child;
            try { child = ChildProcess.Start(command); }
            catch (ChildStartException e)
            {
                await stderr.WriteLineAsync($"tgwatch quiet: {e.Message}").ConfigureAwait(false);
                return ExitCodes.CannotStart;
            }
            using (child)
            {
                await pump.RunAsync([child.StandardOutput, child.StandardError], CancellationToken.None).ConfigureAwait(false);
                exitCode = await child.WaitAsync().ConfigureAwait(false);
            }
        }
        stdout.Flush();
        if (output.Error is { } error)
        {
            await stderr.WriteLineAsync($"tgwatch quiet: cannot write the output: {error.Message}").ConfigureAwait(false);
            if (command.Length == 0) exitCode = ExitCodes.Unexpected;
        }
        if (stats)
        {
            var gate = pump.Gate;
            await stderr.WriteLineAsync($"[tgwatch] lines in {pump.LinesIn}, passed {pump.LinesPassed}, suppressed {gate.Reported} in {gate.Summaries} summaries").ConfigureAwait(false);
        }
        return exitCode;
    }
}
