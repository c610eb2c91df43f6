using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tgwatch.Secrets;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Native;

namespace Tgwatch.Tdlib;

/// <summary>
/// The process-wide TDLib runtime: loads libtdjson, switches TDLib's own log from stderr to the log callback,
/// and runs the one receive thread that calls <c>td_receive</c> and hands every object to its client, either
/// as the answer of a request (matched by <c>@extra</c>) or as an update.
/// </summary>
public sealed class TdClientHost
{
    /// <summary>The logger category of TDLib's own log lines.</summary>
    public const string NativeLogCategory = "Tgwatch.Tdlib.Native";

    private static readonly Lock StartGate = new();
    private static TdClientHost? s_instance;

    private readonly ConcurrentDictionary<int, TdClient> _clients = new();
    private readonly ConcurrentDictionary<string, PendingRequest> _pending = new();
    private readonly ILogger _log;
    private readonly ILogger _nativeLog;
    private readonly Thread _receiver;
    private readonly Lock _logLevelGate = new();
    private long _nextExtra;
    private long _belowLevel;
    private int _logVerbosity;

    private TdClientHost(TdClientHostOptions options)
    {
        Options = options;
        var loggers = options.Loggers ?? NullLoggerFactory.Instance;
        _log = loggers.CreateLogger("Tgwatch.Tdlib");
        _nativeLog = loggers.CreateLogger(NativeLogCategory);
        LibraryPath = TdJsonLibrary.Load(options.TdjsonPath);
        ConfigureLog();
        _ = Task.Run(PumpLogAsync);
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "tdlib-receive" };
        _receiver.Start();
    }

    /// <summary>The settings the runtime was started with.</summary>
    public TdClientHostOptions Options { get; }

    /// <summary>The loaded libtdjson.</summary>
    public string LibraryPath { get; }

    /// <summary>TDLib log lines below the native log category's level (not shown, not gated: counted).</summary>
    public long LogLinesBelowLevel => Interlocked.Read(ref _belowLevel);

    /// <summary>Every TDLib log line, secrets masked (<see cref="SecretRedactor"/>), after it went to the <see cref="NativeLogCategory"/> logger. Runs on the log pump; must not block.</summary>
    public event Action<TdlibLogLine>? LogLine;

    /// <summary>
    /// Starts the runtime once per process and returns it; later calls return the running one (their options
    /// are ignored). Throws <see cref="TdlibLoadException"/> when libtdjson cannot be loaded.
    /// </summary>
    public static TdClientHost Start(TdClientHostOptions? options = null)
    {
        lock (StartGate)
        {
            return s_instance ??= new TdClientHost(options ?? new TdClientHostOptions());
        }
    }

    /// <summary>A new TDLib client. It starts inside TDLib with its first request.</summary>
    public TdClient CreateClient()
    {
        var id = Native.TdJson.td_create_client_id();
        var client = new TdClient(this, id, Options.UpdateCapacity);
        _clients[id] = client;
        return client;
    }

    /// <summary>Sets TDLib's global log verbosity and widens the callback to it.</summary>
    public void SetLogVerbosity(int level)
    {
        lock (_logLevelGate)
        {
            TdJsonLibrary.ExecuteChecked(new SetLogVerbosityLevel(level));
            _logVerbosity = level;
            TdlibNativeLog.Install(CallbackLevel());
        }
    }

    /// <summary>
    /// Sets the level of TDLib's log <paramref name="tag"/> (e.g. <c>connections</c>): the tag's records are logged at
    /// that level, so they appear when it is at most the global verbosity (<see cref="SetLogVerbosity"/>).
    /// </summary>
    public void SetLogTagVerbosity(string tag, int level)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        lock (_logLevelGate)
        {
            TdJsonLibrary.ExecuteChecked(new SetLogTagVerbosityLevel(tag, level));
        }
    }

    // A record prints when its level (a tag's level included) is at most the global verbosity, so that is the callback's level too.
    private int CallbackLevel() => _logVerbosity;

    private void ConfigureLog()
    {
        lock (_logLevelGate)
        {
            TdJsonLibrary.ExecuteChecked(new SetLogStream(new LogStreamEmpty()));
            TdJsonLibrary.ExecuteChecked(new SetLogVerbosityLevel(Options.LogVerbosity));
            foreach (var (tag, level) in Options.LogTagVerbosity)
                TdJsonLibrary.ExecuteChecked(new SetLogTagVerbosityLevel(tag, level));
            _logVerbosity = Options.LogVerbosity;
            TdlibNativeLog.Install(CallbackLevel());
        }
    }

    internal string NextExtra() => Interlocked.Increment(ref _nextExtra).ToString(CultureInfo.InvariantCulture);

    internal void AddPending(string extra, PendingRequest request) => _pending[extra] = request;

    internal bool RemovePending(string extra) => _pending.TryRemove(extra, out _);

    internal void Forget(TdClient client) => _clients.TryRemove(client.Id, out _);

    private unsafe void ReceiveLoop()
    {
        var timeout = Options.ReceiveTimeout.TotalSeconds;
        while (true)
        {
            byte[]? answer;
            try
            {
                answer = TdJson.Copy(TdJson.td_receive(timeout));
            }
            catch (Exception e)
            {
                _log.LogCritical(e, "td_receive failed; the TDLib receive thread stops");
                return;
            }
            if (answer is null) continue;
            try
            {
                Dispatch(answer);
            }
            catch (Exception e)
            {
                _log.LogError(e, "TDLib object not dispatched");
            }
        }
    }

    private void Dispatch(byte[] answer)
    {
        JsonElement root;
        using (var doc = JsonDocument.Parse(answer)) root = doc.RootElement.Clone();
        var clientId = root.TryGetProperty("@client_id", out var idElement) && idElement.TryGetInt32(out var id) ? id : (int?)null;
        if (root.TryGetProperty("@extra", out var extraElement) && extraElement.ValueKind == JsonValueKind.String)
        {
            if (_pending.TryRemove(extraElement.GetString()!, out var pending)) pending.Complete(root);
            else _log.LogDebug("TDLib answer for a request no longer waited for (timed out or cancelled)");
            return;
        }
        if (clientId is null || !_clients.TryGetValue(clientId.Value, out var client))
        {
            _log.LogDebug("TDLib object for no known client");
            return;
        }
        client.Deliver(root);
    }

    /// <summary>Fails the requests still waiting on <paramref name="client"/>.</summary>
    internal void FailPending(TdClient client)
    {
        foreach (var (extra, pending) in _pending)
            if (pending.Client == client && _pending.TryRemove(extra, out _))
                pending.Fail(new TdlibClientClosedException(client.Id, pending.RequestType));
    }

    private async Task PumpLogAsync()
    {
        long droppedReported = 0;
        await foreach (var line in TdlibNativeLog.ReadAllAsync())
        {
            try
            {
                var dropped = TdlibNativeLog.Dropped;
                if (dropped > droppedReported)
                {
                    _nativeLog.LogWarning("{Count} TDLib log lines dropped: the log queue was full", dropped - droppedReported);
                    droppedReported = dropped;
                }
                var redacted = line with { Line = SecretRedactor.Default.Redact(line.Line) };
                var level = ToLogLevel(redacted.Level);
                // Hidden by the log level, not by the noise gate: counted here, so every line is accounted for.
                if (!_nativeLog.IsEnabled(level)) Interlocked.Increment(ref _belowLevel);
                _nativeLog.Log(level, "{TdlibLine}", redacted.Line);
                LogLine?.Invoke(redacted);
            }
            catch (Exception e)
            {
                _log.LogError(e, "TDLib log line not routed");
            }
            finally
            {
                if (line.IsFatal) TdlibNativeLog.FatalHandled();
            }
        }
    }

    internal static LogLevel ToLogLevel(int tdlibLevel) => tdlibLevel switch
    {
        0 => LogLevel.Critical,
        1 => LogLevel.Error,
        2 => LogLevel.Warning,
        3 => LogLevel.Information,
        4 => LogLevel.Debug,
        _ => LogLevel.Trace,
    };
}

/// <summary>A request waiting for its answer.</summary>
internal sealed class PendingRequest(TdClient client, string requestType)
{
    private readonly TaskCompletionSource<JsonElement> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TdClient Client { get; } = client;
    public string RequestType { get; } = requestType;
    public Task<JsonElement> Answer => _answer.Task;

    public void Complete(JsonElement answer)
    {
        try
        {
            TdJsonLibrary.ThrowIfError(answer, RequestType);
            _answer.TrySetResult(answer);
        }
        catch (TdlibErrorException e)
        {
            _answer.TrySetException(e);
        }
    }

    public void Fail(Exception e) => _answer.TrySetException(e);
}
