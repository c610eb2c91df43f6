using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;

namespace Tgwatch.Tdlib.Native;

/// <summary>One line of TDLib's own log: its verbosity level (0 fatal, 1 error, 2 warning, 3 info, 4 debug, 5+ verbose).</summary>
public readonly record struct TdlibLogLine(int Level, string Line)
{
    /// <summary>Level 0: TDLib aborts the process right after reporting it.</summary>
    public bool IsFatal => Level == 0;
}

/// <summary>
/// TDLib's log, taken through <c>td_set_log_message_callback</c> into a bounded queue. The callback runs
/// on TDLib's threads: it only copies the text and enqueues it (never throws, never calls TDLib). When the
/// queue is full, lines are counted in <see cref="Dropped"/> instead of blocking TDLib. For a fatal line the
/// callback waits (bounded) until the consumer called <see cref="FatalHandled"/>, because TDLib aborts the
/// process as soon as the callback returns.
/// </summary>
public static unsafe class TdlibNativeLog
{
    /// <summary>How many lines the queue holds before further ones are dropped and counted.</summary>
    public const int Capacity = 10_000;

    /// <summary>How long the callback holds a fatal line for the consumer to write it out.</summary>
    public static readonly TimeSpan FatalFlushWait = TimeSpan.FromSeconds(2);

    private static readonly Channel<TdlibLogLine> Queue = Channel.CreateBounded<TdlibLogLine>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private static readonly ManualResetEventSlim FatalFlushed = new(false);
    private static long s_dropped;
    private static long s_received;

    /// <summary>Lines dropped because the queue was full (counted, never silently lost).</summary>
    public static long Dropped => Interlocked.Read(ref s_dropped);

    /// <summary>Lines TDLib handed to the callback since the start.</summary>
    public static long Received => Interlocked.Read(ref s_received);

    /// <summary>The queued lines, for one consumer.</summary>
    public static ChannelReader<TdlibLogLine> Reader => Queue.Reader;

    /// <summary>The queued lines as they come, for one consumer.</summary>
    public static async IAsyncEnumerable<TdlibLogLine> ReadAllAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var line in Queue.Reader.ReadAllAsync(ct)) yield return line;
    }

    /// <summary>The consumer wrote out a fatal line: the waiting TDLib thread may go on (and abort).</summary>
    public static void FatalHandled() => FatalFlushed.Set();

    /// <summary>Installs the callback for levels up to <paramref name="maxLevel"/>.</summary>
    internal static void Install(int maxLevel)
    {
        TdJsonLibrary.Load();
        TdJson.td_set_log_message_callback(maxLevel, &OnMessage);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnMessage(int level, byte* message)
    {
        try
        {
            Interlocked.Increment(ref s_received);
            var text = message is null ? "" : Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(message));
            var line = new TdlibLogLine(level, text.TrimEnd('\n', '\r'));
            if (level == 0) FatalFlushed.Reset();
            if (!Queue.Writer.TryWrite(line))
            {
                Interlocked.Increment(ref s_dropped);
                return;
            }
            if (level == 0) FatalFlushed.Wait(FatalFlushWait);
        }
        catch
        {
            // An exception must not cross into TDLib's thread; a line lost here is still counted.
            Interlocked.Increment(ref s_dropped);
        }
    }
}
