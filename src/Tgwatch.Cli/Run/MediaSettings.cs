using System.CommandLine;
using Tgwatch.Media;

namespace Tgwatch.Cli.Run;

/// <summary>The <c>Media</c> section: downloads of the messages' files (off unless <see cref="Dir"/> is given).</summary>
internal sealed class MediaSettings
{
    /// <summary>Where files go (<c>--media DIR</c>): <c>DIR/&lt;chat_id&gt;/&lt;message_id&gt;-&lt;file_unique_id&gt;.&lt;ext&gt;</c>.</summary>
    public string? Dir { get; set; }

    /// <summary>Which media types, comma-separated (<c>--media-types photo,document</c>; default photo, video, document, audio, voice).</summary>
    public string? Types { get; set; }

    /// <summary>The largest file downloaded (<c>--media-max-size 50MB</c>); larger ones are recorded as failed.</summary>
    public string? MaxSize { get; set; }

    /// <summary>The options these settings read into (null when downloads are off), and the problems by key.</summary>
    public (MediaOptions? Options, List<(string Key, string Problem)> Problems) Read()
    {
        var problems = new List<(string, string)>();
        IReadOnlyList<string>? types = null;
        long? maxSize = null;
        if (Types is { } t && (types = MediaOptions.ParseTypes(t, out var typesError)) is null) problems.Add(("Media.Types", typesError!));
        if (MaxSize is { } m && (maxSize = MediaOptions.ParseSize(m, out var sizeError)) is null) problems.Add(("Media.MaxSize", sizeError!));
        if (string.IsNullOrWhiteSpace(Dir))
        {
            if (Types is not null || MaxSize is not null) problems.Add(("Media.Dir", "media types and a size limit need a directory to download to: give --media DIR (or Media:Dir)"));
            return (null, problems);
        }
        if (problems.Count > 0) return (null, problems);
        var options = new MediaOptions { Directory = Dir };
        if (types is not null) options = options with { Types = types };
        if (maxSize is { } size) options = options with { MaxSize = size };
        return (options, problems);
    }
}

/// <summary>The media flags of <c>run</c> and <c>export</c>.</summary>
internal sealed class MediaFlags
{
    public Option<string?> Dir { get; } = new("--media") { Description = "Download the messages' files into DIR/<chat_id>/<message_id>-<file_unique_id>.<ext> (or Media:Dir; off by default)", HelpName = "DIR" };

    public Option<string?> Types { get; } = new("--media-types") { Description = "Which media to download, comma-separated: photo,video,document,audio,voice,animation,video_note,sticker (default photo,video,document,audio,voice)" };

    public Option<string?> MaxSize { get; } = new("--media-max-size") { Description = "Larger files are recorded as failed without a download, e.g. 50MB (the default), 512KB, 2GB" };

    public IEnumerable<Option> All => [Dir, Types, MaxSize];

    public IEnumerable<KeyValuePair<string, string?>> Flags(ParseResult parse) =>
    [
        new("Media:Dir", parse.GetValue(Dir)),
        new("Media:Types", parse.GetValue(Types)),
        new("Media:MaxSize", parse.GetValue(MaxSize)),
    ];
}
