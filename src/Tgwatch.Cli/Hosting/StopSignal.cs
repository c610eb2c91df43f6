using System.Runtime.InteropServices;

namespace Tgwatch.Cli.Hosting;

/// <summary>A token cancelled by SIGINT or SIGTERM (the process is not killed: the command drains and commits).</summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _int;
    private readonly PosixSignalRegistration _term;

    public StopSignal()
    {
        _int = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _stop.Token;

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        _stop.Cancel();
    }

    public void Dispose()
    {
        _int.Dispose();
        _term.Dispose();
        _stop.Dispose();
    }
}
