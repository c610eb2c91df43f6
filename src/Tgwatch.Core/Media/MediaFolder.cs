using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Tgwatch.Messages;
using Tgwatch.Storage;

namespace Tgwatch.Media;

/// <summary>
/// The download directory: <c>DIR/&lt;chat_id&gt;/&lt;message_id&gt;-&lt;file_unique_id&gt;.&lt;ext&gt;</c>, directories 0700 and
/// files 0600. A file is written under a temporary name beside its own, its size checked against what Telegram said,
/// its SHA-256 taken, and only then renamed into place: a file at its name is always whole.
/// </summary>
internal sealed class MediaFolder(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Where the file of a message goes.</summary>
    public string PathOf(long chatId, long messageId, MediaFile file)
    {
        var ext = Safe(file.Extension ?? "bin");
        var name = string.Create(CultureInfo.InvariantCulture, $"{messageId}-{Safe(file.UniqueId)}.{ext}");
        return Path.Combine(Root, chatId.ToString(CultureInfo.InvariantCulture), name);
    }

    /// <summary>Downloads the file through <paramref name="download"/>, verifies and places it.</summary>
    /// <exception cref="InvalidDataException">The bytes had are not as many as Telegram said (nothing is placed).</exception>
    public async Task<MediaDownload> SaveAsync(long chatId, long messageId, MediaFile file, Func<Stream, CancellationToken, ValueTask> download, CancellationToken ct)
    {
        var path = PathOf(chatId, messageId, file);
        var dir = Path.GetDirectoryName(path)!;
        PrivateDirectory.Create(dir);
        var temp = Path.Combine(dir, "." + Path.GetFileName(path) + ".part");
        try
        {
            long size;
            byte[] hash;
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.Asynchronous, BufferSize = 64 * 1024 };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            await using (var stream = new FileStream(temp, options))
            {
                // Hashed as it is written: the file is not read back for it.
                using (var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                using (var hashing = new WriteThroughStream(stream, sha256.AppendData))
                {
                    await download(hashing, ct).ConfigureAwait(false);
                    hash = sha256.GetCurrentHash();
                }
                await stream.FlushAsync(ct).ConfigureAwait(false);
                size = stream.Length;
                if (file.Size is { } expected and > 0 && expected != size)
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"got {size} of {expected} bytes"));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            return new MediaDownload(MediaState.Done, path, size, Convert.ToHexStringLower(hash));
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    // file_unique_id (as in the names) -> a file placed under it; looked for by several downloads at once.
    private readonly Lazy<ConcurrentDictionary<string, string>> _placed = new(() => Placed(Path.GetFullPath(root)));

    /// <summary>
    /// A file of <paramref name="file"/>'s <c>file_unique_id</c> placed by an earlier run (in any chat's directory), described
    /// as its download was: its path, size and SHA-256 (read from it); null when there is none, or one of another size than
    /// Telegram says. The directory is looked through once, at the first question.
    /// </summary>
    public async Task<MediaDownload?> PlacedAsync(MediaFile file, CancellationToken ct)
    {
        if (!_placed.Value.TryGetValue(Safe(file.UniqueId), out var path)) return null;
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
            if (file.Size is { } expected and > 0 && expected != stream.Length) return null;
            var hash = await System.Security.Cryptography.SHA256.HashDataAsync(stream, ct).ConfigureAwait(false);
            return new MediaDownload(MediaState.Done, path, stream.Length, Convert.ToHexStringLower(hash));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _placed.Value.TryRemove(Safe(file.UniqueId), out _); // gone or unreadable: downloaded again
            return null;
        }
    }

    // The files in place: <message_id>-<file_unique_id>.<ext> in the chats' directories (temporary ones start with a dot).
    private static ConcurrentDictionary<string, string> Placed(string root)
    {
        var placed = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(root)) return placed;
        try
        {
            foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                var name = Path.GetFileName(path);
                var dash = name.IndexOf('-', StringComparison.Ordinal);
                var dot = name.LastIndexOf('.');
                if (name.StartsWith('.') || dash <= 0 || dot <= dash + 1 || name.AsSpan(0, dash).ContainsAnyExceptInRange('0', '9')) continue;
                placed.TryAdd(name[(dash + 1)..dot], path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // What could be read is known; the rest is downloaded again.
        }
        return placed;
    }

    /// <summary>Removes temporary files a stopped run left (a download in flight at a kill starts over).</summary>
    public void RemoveLeftovers()
    {
        if (!Directory.Exists(Root)) return;
        foreach (var part in Directory.EnumerateFiles(Root, ".*.part", SearchOption.AllDirectories)) TryDelete(part);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    // A name part from Telegram stays one name: letters, digits, - and _ only.
    private static string Safe(string part)
    {
        var chars = part.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').Take(64).ToArray();
        return chars.Length == 0 ? "bin" : new string(chars);
    }
}
