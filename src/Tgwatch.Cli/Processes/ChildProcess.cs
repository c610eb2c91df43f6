using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Tgwatch.Cli.Processes;

/// <summary>A program run by <c>tgwatch quiet</c>: its output as raw byte streams, signals forwarded to it.</summary>
internal sealed partial class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<PosixSignalRegistration> _signals = [];

    private ChildProcess(Process process)
    {
        _process = process;
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT })
            _signals.Add(PosixSignalRegistration.Create(signal, Forward));
    }

    /// <summary>The child's stdout.</summary>
    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    /// <summary>The child's stderr.</summary>
    public Stream StandardError => _process.StandardError.BaseStream;

    /// <summary>Starts <paramref name="command"/> (program, then arguments) with stdin inherited.</summary>
    /// <exception cref="ChildStartException">The program cannot be started.</exception>
    public static ChildProcess Start(IReadOnlyList<string> command)
    {
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var arg in command.Skip(1)) info.ArgumentList.Add(arg);
        try
        {
            return new ChildProcess(Process.Start(info) ?? throw new ChildStartException($"cannot start '{command[0]}'"));
        }
        catch (Win32Exception e)
        {
            throw new ChildStartException($"cannot start '{command[0]}': {Marshal.GetPInvokeErrorMessage(e.NativeErrorCode)}", e);
        }
    }

    /// <summary>Waits for the child to exit; its exit code (128 + n when killed by signal n).</summary>
    public async Task<int> WaitAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        foreach (var s in _signals) s.Dispose();
        _process.Dispose();
    }

    private void Forward(PosixSignalContext context)
    {
        // Once the child is gone a signal is ours again: its default action stops tgwatch.
        try
        {
            if (!_process.HasExited && Kill(_process.Id, ToNative(context.Signal)) == 0) context.Cancel = true;
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the call: nothing to forward to.
        }
    }

    private static int ToNative(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        PosixSignal.SIGHUP => 1,
        _ => 15,
    };

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

/// <summary>The program given to <c>tgwatch quiet</c> could not be started.</summary>
internal sealed class ChildStartException(string message, Exception? inner = null) : Exception(message, inner);
