using System.Globalization;
using System.Text.Json;
using Tgwatch.Media;
using Tgwatch.Messages;
using Tgwatch.Tdlib.Functions;

namespace Tgwatch.Tdlib.Connector;

/// <summary>
/// Downloads a message's file through TDLib: <c>downloadFile</c> with <c>synchronous</c> (TDLib answers once the file is in
/// its files directory), then its bytes copied from <c>local.path</c>. An error TDLib gives for the file itself (400: the
/// file cannot be had) is a <see cref="MediaUnavailableException"/>; anything else is retried.
/// </summary>
/// <param name="session">The authorized session.</param>
/// <param name="timeout">How long one download may take.</param>
public sealed class TdlibMediaSource(ITdSession session, TimeSpan timeout) : IMediaSource
{
    /// <inheritdoc />
    public long? MaxFileSize => null;

    /// <inheritdoc />
    public async ValueTask DownloadAsync(MediaFile file, Stream destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(destination);
        if (!int.TryParse(file.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            throw new MediaUnavailableException($"'{file.Id}' is not a TDLib file id");
        JsonElement answer;
        try
        {
            answer = await session.SendAsync(new DownloadFile(id, Priority: 1, Offset: 0, Limit: 0, Synchronous: true), timeout, ct).ConfigureAwait(false);
        }
        catch (TdlibErrorException e) when (e.Code == 400)
        {
            throw new MediaUnavailableException($"TDLib cannot download the file: {e.Message}", e);
        }
        var local = answer.GetProperty("local");
        var path = local.GetProperty("path").GetString();
        if (!local.GetProperty("is_downloading_completed").GetBoolean() || string.IsNullOrEmpty(path))
            throw new IOException("TDLib ended the download before the file was complete");
        var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (source.ConfigureAwait(false)) await source.CopyToAsync(destination, ct).ConfigureAwait(false);
    }
}
