using System.Diagnostics;

namespace Tgwatch.Bench.Peers;

/// <summary>
/// Follows a peer's JSONL output as it grows: a thread reads the new bytes every millisecond and stamps each complete
/// line's message with the <see cref="Stopwatch"/> time it was first seen (a fixed cost for every peer, whatever its
/// writes look like, and at most a millisecond late). Not for a file that may be cut short (a kill -9 run's).
/// </summary>
internal sealed class OutputTail : IDisposable
{
    private readonly string _path;
    private readonly Action<int>? _onDistinct;
    private readonly Lock _sync = new();
    private readonly Dictionary<RecordKey, long> _seen = [];
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private readonly Thread _thread;
    private volatile bool _stopping;
    private int _lines;

    /// <param name="path">The file, which need not exist yet.</param>
    /// <param name="onDistinct">Called on the tail's thread with the number of distinct messages after each read that found new ones.</param>
    public OutputTail(string path, Action<int>? onDistinct = null)
    {
        _path = path;
        _onDistinct = onDistinct;
        _thread = new Thread(Follow) { IsBackground = true, Name = "output tail" };
        _thread.Start();
    }

    public int Distinct
    {
        get { lock (_sync) return _seen.Count; }
    }

    public int Lines
    {
        get { lock (_sync) return _lines; }
    }

    /// <summary>When <paramref name="key"/> was first seen, or null.</summary>
    public long? SeenAt(RecordKey key)
    {
        lock (_sync) return _seen.TryGetValue(key, out var t) ? t : null;
    }

    /// <summary>Completes once <paramref name="count"/> distinct messages were seen; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task WhenDistinctAsync(int count, TimeSpan timeout)
    {
        TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_sync)
        {
            if (_seen.Count >= count) return;
            _waiters.Add((count, done));
        }
        try
        {
            await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Path.GetFileName(Path.GetDirectoryName(_path))}: {Distinct} of {count} messages after {timeout.TotalSeconds:F0} s");
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
    }

    private void Follow()
    {
        var buffer = new byte[1 << 20];
        var pending = 0; // bytes of a line not complete yet, at the start of buffer
        FileStream? file = null;
        try
        {
            while (!_stopping)
            {
                file ??= File.Exists(_path) ? new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1) : null;
                var read = file?.Read(buffer, pending, buffer.Length - pending) ?? 0;
                if (read == 0)
                {
                    Thread.Sleep(1);
                    continue;
                }
                var now = Stopwatch.GetTimestamp();
                var data = buffer.AsSpan(0, pending + read);
                var newLines = 0;
                int distinct;
                lock (_sync)
                {
                    for (var end = data.IndexOf((byte)'\n'); end >= 0; end = data.IndexOf((byte)'\n'))
                    {
                        _lines++;
                        newLines++;
                        if (RecordKey.Parse(data[..end]) is { } key) _seen.TryAdd(key, now);
                        data = data[(end + 1)..];
                    }
                    distinct = _seen.Count;
                }
                data.CopyTo(buffer);
                pending = data.Length;
                if (pending == buffer.Length) throw new InvalidDataException($"{_path}: a line longer than {buffer.Length} bytes");
                if (newLines == 0) continue;
                // The callback first: a waiter woken next may read what it recorded.
                _onDistinct?.Invoke(distinct);
                lock (_sync)
                {
                    foreach (var (count, done) in _waiters)
                        if (count <= distinct) done.TrySetResult();
                    _waiters.RemoveAll(w => w.Count <= distinct);
                }
            }
        }
        finally
        {
            file?.Dispose();
        }
    }
}
