using System.Globalization;
using Microsoft.Extensions.Logging;
using Tgwatch.Connectors;
using Tgwatch.Media;
using Tgwatch.Pipeline;
using Tgwatch.Tdlib.Connector.Export;

namespace Tgwatch.Cli.Export;

/// <summary>
/// An export's progress as the user reads it: messages done of the estimated total, the rate, the time left, the files
/// downloaded and their bytes (with <c>--media</c>: <paramref name="files"/> is the pipeline's counters then, null without;
/// <paramref name="source"/> tells of the downloads under way, where it can),
/// a FLOOD_WAIT as the time until the export goes on, a link that is down. Shown live on a terminal
/// (<see cref="LiveProgress"/>), else as one plain line every 10 s (<see cref="PlainAsync"/>).
/// </summary>
internal sealed class ExportProgress(HistoryExportStats stats, IConnector link, TimeProvider time, PipelineStats? files = null, IMediaSource? source = null)
{
    /// <summary>How often the plain line is written when the output is not a terminal.</summary>
    public static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(10);

    private readonly long _start = time.GetTimestamp();

    /// <summary>The figures now.</summary>
    public ExportFigures Now()
    {
        var done = stats.Exported;
        var estimated = Math.Max(stats.Estimated, done);
        var elapsed = time.GetElapsedTime(_start);
        var rate = elapsed > TimeSpan.Zero ? done / elapsed.TotalSeconds : 0;
        TimeSpan? left = rate > 0 && stats.State == HistoryExportState.Exporting ? TimeSpan.FromSeconds(Math.Ceiling((estimated - done) / rate)) : null;
        var now = time.GetUtcNow();
        var flood = stats.FloodWaitUntil(now) is { } until ? until - now : (TimeSpan?)null;
        return new ExportFigures(stats.State, done, estimated, rate, left, flood, link.Status is { State: ConnectionState.Connecting, Reason: not "starting" }, elapsed)
        {
            Files = files is null ? null : new FileFigures(files.MediaDownloaded, files.MediaBytes, files.MediaFailed) { InFlight = source?.InFlight ?? default },
        };
    }

    /// <summary>Writes the plain progress line every <paramref name="every"/> until <paramref name="ct"/> is cancelled.</summary>
    public async Task PlainAsync(ILogger logger, TimeSpan every, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(every, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
                ExportLog.Progress(logger, Now().Line());
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}

/// <summary>An export's progress at one moment.</summary>
/// <param name="State">Where the export stands.</param>
/// <param name="Done">Messages handed to the pipeline.</param>
/// <param name="Estimated">Messages expected in all (at least <paramref name="Done"/>).</param>
/// <param name="Rate">Messages per second since the start.</param>
/// <param name="Left">The time left at that rate; null while it cannot be said.</param>
/// <param name="FloodWaitLeft">The time until a FLOOD_WAIT is over; null when none is waited out.</param>
/// <param name="LinkDown">The link to Telegram is down (requests wait for it).</param>
/// <param name="Elapsed">The time since the start.</param>
internal readonly record struct ExportFigures(HistoryExportState State, long Done, long Estimated, double Rate, TimeSpan? Left, TimeSpan? FloodWaitLeft, bool LinkDown, TimeSpan Elapsed)
{
    /// <summary>The files downloaded so far (<c>--media</c>); null when the export downloads none.</summary>
    public FileFigures? Files { get; init; }

    /// <summary>Done of estimated, in percent (0 while nothing is known).</summary>
    public int Percent => Estimated > 0 ? (int)Math.Min(100, Done * 100 / Estimated) : 0;

    /// <summary>
    /// The figures in words: <c>export: 2,345 of ~5,000 messages (46%), 230/s, about 12s left</c>, then the files
    /// (<c>, 12 files downloaded (12.3 MB)</c>), then a FLOOD_WAIT or a link down.
    /// </summary>
    public string Line()
    {
        var line = State == HistoryExportState.Starting
            ? "export: finding the chat and its range"
            : string.Create(CultureInfo.InvariantCulture, $"export: {Done:N0} of ~{Estimated:N0} messages ({Percent}%), {Rate:0.#}/s");
        if (State == HistoryExportState.Exporting && Left is { } left) line += $", about {Duration.Format(left)} left";
        if (State != HistoryExportState.Starting && Files is { } files) line += ", " + files.Words();
        if (FloodWaitLeft is { } flood) line += $"; FLOOD_WAIT: Telegram asked to wait, going on in {Duration.Format(flood)}";
        if (LinkDown) line += "; the link to Telegram is down, waiting for it";
        return line;
    }
}

/// <summary>The files an export downloaded (<c>--media</c>).</summary>
/// <param name="Downloaded">Files downloaded and placed.</param>
/// <param name="Bytes">Their bytes.</param>
/// <param name="Failed">Files written <c>media.state = "failed"</c>.</param>
internal readonly record struct FileFigures(long Downloaded, long Bytes, long Failed)
{
    /// <summary>The downloads under way, where the source tells of them (TDLib).</summary>
    public MediaInFlight InFlight { get; init; }

    /// <summary>
    /// In words: <c>12 files downloaded (12.3 MB)</c>, then <c>, 1 downloading (4.5 MB of 40 MB)</c> while TDLib downloads one,
    /// then <c>, 1 download failed</c> when one did.
    /// </summary>
    public string Words()
    {
        var words = string.Create(CultureInfo.InvariantCulture, $"{Downloaded:N0} {(Downloaded == 1 ? "file" : "files")} downloaded ({MediaOptions.FormatSize(Bytes)})");
        if (InFlight.Files > 0)
            words += string.Create(CultureInfo.InvariantCulture, $", {InFlight.Files:N0} downloading ({MediaOptions.FormatSize(InFlight.Bytes)} of {MediaOptions.FormatSize(InFlight.Total)})");
        if (Failed > 0) words += string.Create(CultureInfo.InvariantCulture, $", {Failed:N0} {(Failed == 1 ? "download" : "downloads")} failed");
        return words;
    }
}
