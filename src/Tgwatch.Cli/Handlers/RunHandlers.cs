using Microsoft.Extensions.Logging;
using Tgwatch.Cli.Hosting;
using Tgwatch.Cli.Run;
using Tgwatch.Noise;
using Tgwatch.Pipeline;

namespace Tgwatch.Cli.Handlers;

/// <summary>The handlers of a run (or a replay), started: each program running, each behind its route; stopped together.</summary>
internal sealed class RunHandlers : IAsyncDisposable
{
    private readonly List<ExecHandler> _programs;

    private RunHandlers(List<ExecHandler> programs, IReadOnlyList<IMessageHandler> all)
    {
        _programs = programs;
        All = all;
    }

    /// <summary>The handlers, in the order given, each behind its route's filters.</summary>
    public IReadOnlyList<IMessageHandler> All { get; }

    /// <summary>The programs.</summary>
    public IReadOnlyList<ExecHandler> Programs => _programs;

    /// <summary>Starts every handler of <paramref name="settings"/>; one that cannot be started ends the run (exit code 2, one line).</summary>
    public static async Task<RunHandlers> StartAsync(RunSettings settings, ILoggerFactory logs, NoiseGate? gate, CancellationToken ct)
    {
        var programs = new List<ExecHandler>();
        var all = new List<IMessageHandler>();
        var logger = logs.CreateLogger("Tgwatch.Handler");
        // The run's gate counts what a child's stderr hid (metrics, the status page); without one (a replay), a gate of its own.
        gate ??= new NoiseGate(settings.NoiseOptions, TimeProvider.System, line => logger.LogWarning("{Summary}", line));
        var rules = settings.HandlerSpecs.Count > 0 ? NoiseRules.Load() : null;
        try
        {
            foreach (var spec in settings.HandlerSpecs)
            {
                var program = new ExecHandler(spec.Exec, logger, gate, rules!, settings.NoiseOptions, TimeProvider.System);
                programs.Add(program);
                try
                {
                    await program.StartAsync(ct).ConfigureAwait(false);
                }
                catch (ExecHandlerException e)
                {
                    throw new CliException(ExitCodes.Usage, e.Message);
                }
                all.Add(spec.Filters.Count == 0 ? program : new RoutedHandler(program, spec.Filters, logger));
            }
        }
        catch
        {
            foreach (var program in programs) await program.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return new RunHandlers(programs, all);
    }

    /// <summary>Stops every program: EOF, its drain time, SIGTERM, SIGKILL.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_programs.Select(p => p.DisposeAsync().AsTask())).ConfigureAwait(false);
    }
}
