using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Tgwatch.Faults;
using Tgwatch.Noise;

namespace Tgwatch.Cli.Handlers;

/// <summary>One child process of an <see cref="ExecHandler"/>: its stdin (one writer at a time), its answers, its stderr through the noise gate.</summary>
internal sealed partial class ExecChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ExecHandler _owner;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<(bool Ok, string? Error, bool Retry)>> _waiting = new(StringComparer.Ordinal);
    private readonly Task _stdout;
    private readonly Task _stderr;
    private readonly Task _exit;
    private volatile bool _ended;
    private int _ending;
    private volatile bool _killed;

    private ExecChild(Process process, ExecHandler owner)
    {
        _process = process;
        _owner = owner;
        _stdout = Task.Run(ReadAnswersAsync);
        _stderr = Task.Run(PumpStderrAsync);
        _exit = Task.Run(WatchExitAsync);
    }

    /// <summary>How long a child has after SIGTERM before SIGKILL, and after SIGKILL before it is given up on.</summary>
    public static readonly TimeSpan SignalGrace = TimeSpan.FromSeconds(5);

    /// <summary>Starts the command.</summary>
    /// <exception cref="ExecHandlerException">It cannot be started (a Network fault: tried again with backoff).</exception>
    public static ExecChild Start(ExecHandlerOptions options, ExecHandler owner)
    {
        var info = new ProcessStartInfo(options.Arguments[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        foreach (var arg in options.Arguments.Skip(1)) info.ArgumentList.Add(arg);
        // Python buffers stdout when it is a pipe: an answer left in its buffer would never come.
        info.Environment["PYTHONUNBUFFERED"] = "1";
        try
        {
            var process = Process.Start(info) ?? throw new ExecHandlerException(FaultKind.Network, $"{options.Name}: cannot start '{options.Arguments[0]}'");
            return new ExecChild(process, owner);
        }
        catch (Win32Exception e)
        {
            var reason = Marshal.GetPInvokeErrorMessage(e.NativeErrorCode);
            throw new ExecHandlerException(FaultKind.Network, $"{options.Name}: cannot start '{options.Arguments[0]}': {reason}", e);
        }
    }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited
    {
        get
        {
            try { return _process.HasExited; }
            catch (InvalidOperationException) { return true; }
        }
    }

    /// <summary>Whether it can take messages: running, its stdout open, not killed.</summary>
    public bool IsAlive => !_ended && !_killed && !HasExited;

    /// <summary>Waits for the answer to <paramref name="key"/> (before the line is sent, so no answer is missed).</summary>
    public Task<(bool Ok, string? Error, bool Retry)> Expect(string key)
    {
        var answer = new TaskCompletionSource<(bool, string?, bool)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[key] = answer;
        if (_ended) Fail(answer);
        return answer.Task;
    }

    /// <summary>No answer to <paramref name="key"/> is waited for any more.</summary>
    public void Forget(string key) => _waiting.TryRemove(key, out _);

    /// <summary>Writes one line to its stdin.</summary>
    public async Task SendAsync(byte[] line, CancellationToken ct)
    {
        await _writing.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var stdin = _process.StandardInput.BaseStream;
            await stdin.WriteAsync(line, ct).ConfigureAwait(false);
            await stdin.FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>SIGKILL: a hung child goes at once, with the processes it started (a shell's pipeline holds its pipes too).</summary>
    public void Kill()
    {
        _killed = true;
        try { _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { } // gone already
    }

    /// <summary>EOF on stdin, <paramref name="drain"/> to exit, then SIGTERM (and 5 s), then SIGKILL.</summary>
    public async Task StopAsync(TimeSpan drain)
    {
        await _writing.WaitAsync().ConfigureAwait(false);
        try { _process.StandardInput.Close(); }
        catch (IOException) { } // it closed its end already
        finally { _writing.Release(); }
        if (await ExitedWithinAsync(drain).ConfigureAwait(false)) return;
        ExecLog.Signalled(_owner.Logger, _owner.Name, global::Tgwatch.Duration.Format(drain), "SIGTERM");
        try { _ = Signal(_process.Id, 15); }
        catch (InvalidOperationException) { return; }
        if (await ExitedWithinAsync(SignalGrace).ConfigureAwait(false)) return;
        ExecLog.Signalled(_owner.Logger, _owner.Name, global::Tgwatch.Duration.Format(drain + SignalGrace), "SIGKILL");
        Kill();
        await ExitedWithinAsync(SignalGrace).ConfigureAwait(false);
    }

    private async Task<bool> ExitedWithinAsync(TimeSpan wait)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(wait, _owner.Time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The longest line of its stdout read (an answer is a few dozen bytes); the rest of a longer one is passed over.</summary>
    internal const int MaxLine = 1024 * 1024;

    private async Task ReadAnswersAsync()
    {
        var stdout = _process.StandardOutput;
        try
        {
            // Line by line, each held to MaxLine: a program that writes without a line end cannot fill our memory.
            var buffer = new char[8192];
            var line = new StringBuilder();
            var tooLong = false;
            int n;
            while ((n = await stdout.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                for (var i = 0; i < n; i++)
                {
                    if (buffer[i] == '\n')
                    {
                        if (tooLong) _owner.Stray($"a line over {MaxLine / 1024 / 1024} MiB", line.ToString(0, Math.Min(line.Length, 200)));
                        else Take(line.ToString().TrimEnd('\r'));
                        line.Clear();
                        tooLong = false;
                    }
                    else if (line.Length < MaxLine)
                    {
                        line.Append(buffer[i]);
                    }
                    else
                    {
                        tooLong = true;
                    }
                }
            }
        }
        catch (IOException)
        {
            // The pipe broke: as good as an exit.
        }
        catch (ObjectDisposedException)
        {
            // Disposed while a process it started still held the pipe: it was over already.
        }
        End();
    }

    // Its stdout ends when it exits, unless a process it started (a helper, a shell's background job) holds the pipe open:
    // then its exit is the end, once the answers it wrote before it went have had a moment to be read.
    private async Task WatchExitAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        await Task.WhenAny(_stdout, Task.Delay(TimeSpan.FromSeconds(1), _owner.Time)).ConfigureAwait(false);
        End();
    }

    // Once, whichever comes first: its stdout closed, or it exited.
    private void End()
    {
        if (Interlocked.Exchange(ref _ending, 1) != 0) return;
        _ended = true;
        // Its stdout is closed: it is gone, or as good as gone (it cannot answer); what it had not answered goes elsewhere.
        string how;
        try
        {
            if (!_process.WaitForExit(TimeSpan.FromSeconds(5))) Kill();
            _process.WaitForExit();
            how = _killed ? "killed" : _process.ExitCode > 128 ? $"signal {_process.ExitCode - 128}" : $"exit code {_process.ExitCode}";
        }
        catch (InvalidOperationException)
        {
            how = "gone";
        }
        var unanswered = 0;
        foreach (var key in _waiting.Keys)
            if (_waiting.TryRemove(key, out var answer) && Fail(answer, how)) unanswered++;
        _owner.Exited(this, how, unanswered);
    }

    private bool Fail(TaskCompletionSource<(bool, string?, bool)> answer, string how = "exited") =>
        answer.TrySetException(new ExecHandlerException(FaultKind.Network, $"{_owner.Name} exited ({how}) before it answered"));

    // One stdout line: an answer to a message waiting for one, or a stray line (told once per kind).
    private void Take(string line)
    {
        if (line.Length == 0) return;
        string? key;
        bool ok, retry;
        string? error;
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("key", out var k) || k.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("ok", out var o) || o.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                _owner.Stray("JSON without a string \"key\" and a boolean \"ok\"", line);
                return;
            }
            key = k.GetString()!;
            ok = o.GetBoolean();
            error = root.TryGetProperty("error", out var e) ? e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText() : null;
            retry = root.TryGetProperty("retry", out var r) && r.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            _owner.Stray("not JSON", line);
            return;
        }
        if (_waiting.TryRemove(key, out var answer)) answer.TrySetResult((ok, error, retry));
        else _owner.Stray("an answer to a key not waiting for one", line);
    }

    private async Task PumpStderrAsync()
    {
        using var lines = new HandlerLogStream(_owner);
        var filter = new TextNoiseFilter(_owner.Rules, _owner.Gate, lines, _owner.Time, _owner.Noise);
        using var ticker = _owner.Time.CreateTimer(static f =>
        {
            lock (f!) ((TextNoiseFilter)f).Tick();
        }, filter, _owner.Noise.TickPeriod, _owner.Noise.TickPeriod);
        var buffer = new byte[8192];
        var stderr = _process.StandardError.BaseStream;
        try
        {
            int n;
            while ((n = await stderr.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                lock (filter) filter.Write(buffer.AsSpan(0, n));
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (filter) filter.Complete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!HasExited) Kill();
        try { await _exit.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false); }
        catch (TimeoutException) { } // not even SIGKILL took it: left to the system
        // A process it started may still hold its stdout or stderr open: its readers are not waited for past a moment, and
        // the pipes are left to close with that process.
        var readers = Task.WhenAll(_stdout, _stderr);
        if (await Task.WhenAny(readers, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false) == readers) _process.Dispose();
        _writing.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Signal(int pid, int signal);
}

/// <summary>What passes the noise gate of a child's stderr: each line to the log, prefixed with the handler's name.</summary>
internal sealed class HandlerLogStream(ExecHandler owner) : Processes.WriteOnlyStream
{
    private readonly List<byte> _line = [];

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        foreach (var b in buffer)
        {
            if (b == (byte)'\n') Emit();
            else if (_line.Count < MaxLine) _line.Add(b);
        }
    }

    public override void Flush()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (_line.Count > 0) Emit();
        base.Dispose(disposing);
    }

    /// <summary>The longest stderr line logged; the rest of a longer one is cut.</summary>
    private const int MaxLine = 16 * 1024;

    private void Emit()
    {
        var text = Encoding.UTF8.GetString([.. _line]).TrimEnd('\r') + (_line.Count >= MaxLine ? "…" : "");
        _line.Clear();
        ExecLog.Stderr(owner.Logger, owner.Name, Secrets.SecretRedactor.Default.Redact(text));
    }
}
