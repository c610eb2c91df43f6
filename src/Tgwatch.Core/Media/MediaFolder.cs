using System.Globalization;
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
                using (var hashing = new HashingWriteStream(stream))
                {
                    await download(hashing, ct).ConfigureAwait(false);
                    hash = hashing.Hash();
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
