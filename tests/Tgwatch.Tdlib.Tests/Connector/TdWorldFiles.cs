using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Tgwatch.TestKit;
using static Tgwatch.TestKit.TdWorld;

namespace Tgwatch.Tdlib.Tests.Connector;

/// <summary>
/// TDLib's downloads in a <see cref="TdWorld"/>, as 1.8.65 makes them: <c>downloadFile</c> (not synchronous) answers at once
/// with the file downloading, then the bytes are written into the files directory in <see cref="Chunks"/> parts, an
/// <c>updateFile</c> after each and the last one saying it is complete; <c>cancelDownloadFile</c> stops a download (an
/// <c>updateFile</c> with it no longer active, what was written kept: the next download goes on from there);
/// <c>deleteFile</c> removes the local copy; <c>getFile</c> answers with the file as it is now. <see cref="Stall"/> makes a file's next downloads stop sending anything after
/// their first part, as a dead connection does.
/// </summary>
internal sealed class TdWorldFiles
{
    private readonly TdWorld _world;
    private readonly ConcurrentDictionary<int, WorldFile> _files = new();
    private readonly ConcurrentDictionary<int, long> _have = new(); // bytes already local per file id
    private readonly ConcurrentDictionary<int, CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<int, int> _stalls = new();

    public TdWorldFiles(TdWorld world, string directory)
    {
        _world = world;
        Directory = directory;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "documents"));
        world.Session.On("downloadFile", r => Start((int)r["file_id"]!, (bool)r["synchronous"]!));
        world.Session.On("cancelDownloadFile", r =>
        {
            var id = (int)r["file_id"]!;
            Cancels.Enqueue(id);
            if (_running.TryRemove(id, out var running)) running.Cancel();
            Push(_files[id], active: false);
            return """{"@type":"ok"}""";
        });
        world.Session.On("getFile", r =>
        {
            var file = _files[(int)r["file_id"]!];
            var have = _have.GetValueOrDefault(file.Id);
            var completed = have == file.Bytes.Length;
            var active = !completed && _running.TryGetValue(file.Id, out var running) && !running.IsCancellationRequested;
            return FileJson(file, PathOf(file), active, completed, have).ToJsonString();
        });
        world.Session.On("deleteFile", r =>
        {
            var id = (int)r["file_id"]!;
            Deletes.Enqueue(id);
            File.Delete(PathOf(_files[id]));
            _have.TryRemove(id, out _);
            return """{"@type":"ok"}""";
        });
    }

    /// <summary>TDLib's files directory.</summary>
    public string Directory { get; }

    /// <summary>How many parts a download is written in (an updateFile each).</summary>
    public int Chunks { get; init; } = 4;

    /// <summary>The pause before each part: a transfer takes time, so progress comes while the download is followed.</summary>
    public TimeSpan ChunkPause { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The ids of the downloadFile requests, in order.</summary>
    public ConcurrentQueue<int> Downloads { get; } = new();

    /// <summary>The ids of the cancelDownloadFile requests.</summary>
    public ConcurrentQueue<int> Cancels { get; } = new();

    /// <summary>The ids of the deleteFile requests.</summary>
    public ConcurrentQueue<int> Deletes { get; } = new();

    /// <summary>The bytes each updateFile of a file told, in order, per file id.</summary>
    public ConcurrentDictionary<int, List<long>> Progress { get; } = new();

    /// <summary>A new file of <paramref name="size"/> random bytes, known to the world by its id.</summary>
    public WorldFile Add(int id, int size, string? uniqueId = null)
    {
        var bytes = new byte[size];
        new Random(id).NextBytes(bytes);
        var file = new WorldFile(id, uniqueId ?? $"AgAD{id}", bytes, $"doc{id}.pdf");
        _files[id] = file;
        return file;
    }

    /// <summary>The next <paramref name="times"/> downloads of <paramref name="file"/> write their first part, then nothing.</summary>
    public void Stall(WorldFile file, int times = 1) => _stalls[file.Id] = times;

    private string PathOf(WorldFile file) => Path.Combine(Directory, "documents", file.Name);

    private string Start(int id, bool synchronous)
    {
        if (synchronous) throw new InvalidOperationException("downloads are followed by updateFile here: synchronous was asked");
        if (!_files.TryGetValue(id, out var file)) throw new TdlibErrorException(400, "Invalid file identifier", "downloadFile");
        Downloads.Enqueue(id);
        var have = _have.GetValueOrDefault(id);
        if (have == file.Bytes.Length) return FileJson(file, PathOf(file), active: false, completed: true, downloaded: have).ToJsonString();
        var stall = false;
        if (_stalls.TryGetValue(id, out var stalls) && stalls > 0)
        {
            _stalls[id] = stalls - 1;
            stall = true;
        }
        var cts = new CancellationTokenSource();
        _running[id] = cts;
        _ = Task.Run(() => WriteAsync(file, stall, cts.Token));
        return FileJson(file, PathOf(file), active: true, completed: false, downloaded: have).ToJsonString();
    }

    private async Task WriteAsync(WorldFile file, bool stall, CancellationToken ct)
    {
        var path = PathOf(file);
        var part = (file.Bytes.Length + Chunks - 1) / Chunks;
        try
        {
            while (_have.GetValueOrDefault(file.Id) is var have && have < file.Bytes.Length)
            {
                await Task.Delay(ChunkPause, ct); // a real pause: the time a part takes to come
                var n = (int)Math.Min(part, file.Bytes.Length - have);
                await using (var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write))
                {
                    stream.Position = have;
                    await stream.WriteAsync(file.Bytes.AsMemory((int)have, n), ct);
                }
                _have[file.Id] = have + n;
                var completed = have + n == file.Bytes.Length;
                Push(file, active: !completed);
                if (stall)
                {
                    await Task.Delay(Timeout.Infinite, ct); // a dead connection: nothing more until cancelled
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Push(WorldFile file, bool active)
    {
        var have = _have.GetValueOrDefault(file.Id);
        var completed = have == file.Bytes.Length;
        Progress.AddOrUpdate(file.Id, _ => [have], (_, list) => { lock (list) list.Add(have); return list; });
        _world.Session.Push(new JsonObject { ["@type"] = "updateFile", ["file"] = FileJson(file, PathOf(file), active && !completed, completed, have) }.ToJsonString());
    }
}
