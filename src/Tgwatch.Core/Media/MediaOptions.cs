using System.Globalization;
using Microsoft.Extensions.Options;
using Tgwatch.Validation;

namespace Tgwatch.Media;

/// <summary>Media downloads (<c>--media DIR</c>): where files go, which ones, how large, how failed ones are retried.</summary>
public sealed record MediaOptions
{
    /// <summary>The media types downloaded unless <see cref="Types"/> says otherwise.</summary>
    public static IReadOnlyList<string> DefaultTypes { get; } = ["photo", "video", "document", "audio", "voice"];

    /// <summary>Every media type with a file.</summary>
    public static IReadOnlyList<string> KnownTypes { get; } = ["photo", "video", "document", "audio", "voice", "animation", "video_note", "sticker"];

    /// <summary>Where files go: <c>DIR/&lt;chat_id&gt;/&lt;message_id&gt;-&lt;file_unique_id&gt;.&lt;ext&gt;</c>.</summary>
    public required string Directory { get; init; }

    /// <summary>The media types to download. <value>photo, video, document, audio, voice</value></summary>
    public IReadOnlyCollection<string> Types { get; init; } = DefaultTypes;

    /// <summary>Larger files are recorded as failed without a try. <value>50 MB</value></summary>
    public long MaxSize { get; init; } = 50L * 1024 * 1024;

    /// <summary>The first wait after a failed download; it doubles up to <see cref="MaxDelay"/>. <value>5 s</value></summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest wait between attempts. <value>10 minutes</value></summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Attempts before a download is recorded as failed. <value>10</value></summary>
    public int Attempts { get; init; } = 10;

    /// <summary>How many files are downloaded at once (each file once, however many messages hold it). <value>3</value></summary>
    [Between(1, 16)]
    public int Parallel { get; init; } = 3;

    /// <summary>While the disk is full, how often its free space is looked at. <value>30 s</value></summary>
    public TimeSpan DiskCheckInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the values (<see cref="MediaOptionsValidator"/>).</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message has one line for each (<c>MediaOptions.Parallel: between 1 and 16</c>).</exception>
    public MediaOptions Validate() => new MediaOptionsValidator().Check(this);

    /// <summary>Reads a size: <c>50MB</c>, <c>512KB</c>, <c>2GB</c>, <c>1.5MB</c> or a number of bytes (units of 1024).</summary>
    /// <returns>The bytes, or null with <paramref name="error"/> in the user's words.</returns>
    public static long? ParseSize(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        var s = text.Trim().ToUpperInvariant();
        (string Suffix, long Scale)[] units = [("GB", 1L << 30), ("MB", 1L << 20), ("KB", 1L << 10), ("B", 1)];
        var scale = 1L;
        foreach (var (suffix, factor) in units)
        {
            if (!s.EndsWith(suffix, StringComparison.Ordinal)) continue;
            s = s[..^suffix.Length].TrimEnd();
            scale = factor;
            break;
        }
        if (!double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) || n <= 0 || n * scale > long.MaxValue / 2)
        {
            error = $"'{text}' is not a size: write it as 50MB, 512KB, 2GB or a number of bytes";
            return null;
        }
        return (long)(n * scale);
    }

    /// <summary>Reads a comma-separated list of media types (<c>photo,document</c>).</summary>
    /// <returns>The types, or null with <paramref name="error"/> naming the unknown ones.</returns>
    public static IReadOnlyList<string>? ParseTypes(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var types = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(t => t.ToLowerInvariant()).Distinct().ToList();
        var unknown = types.Where(t => !KnownTypes.Contains(t)).ToList();
        error = types.Count == 0 ? $"no media type given: choose from {string.Join(", ", KnownTypes)}"
            : unknown.Count > 0 ? $"unknown media type {string.Join(", ", unknown.Select(u => $"'{u}'"))}: choose from {string.Join(", ", KnownTypes)}"
            : null;
        return error is null ? types : null;
    }

    /// <summary>A size for people: <c>50 MB</c>, <c>1.5 MB</c>, <c>900 KB</c>, <c>12 bytes</c>.</summary>
    public static string FormatSize(long bytes) =>
        bytes >= 1L << 30 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.#} GB")
        : bytes >= 1L << 20 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.#} MB")
        : bytes >= 1L << 10 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
}

/// <summary>Checks <see cref="MediaOptions"/> by the rules on its settings, every problem at once.</summary>
[OptionsValidator]
public sealed partial class MediaOptionsValidator : IValidateOptions<MediaOptions>;
