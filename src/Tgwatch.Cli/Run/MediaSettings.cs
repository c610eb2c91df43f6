using System.CommandLine;
using Tgwatch.Media;
using Tgwatch.Validation;

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

    /// <summary>How many files download at once (<c>--media-parallel 3</c>; from 1 to 16).</summary>
    public int? Parallel { get; set; }

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
            if (Types is not null || MaxSize is not null || Parallel is not null)
                problems.Add(("Media.Dir", "media types, a size limit and parallel downloads need a directory to download to: give --media DIR (or Media:Dir)"));
            return (null, problems);
        }
        if (problems.Count > 0) return (null, problems);
        var options = new MediaOptions { Directory = Dir };
        if (types is not null) options = options with { Types = types };
        if (maxSize is { } size) options = options with { MaxSize = size };
        if (Parallel is { } parallel) options = options with { Parallel = parallel };
        // The options' own rules, said under this section's keys (Media.Parallel).
        problems.AddRange(ValidatedOptions.Problems(new MediaOptionsValidator().Validate(nameof(RunSettings.Media), options)).Select(p => (p.Path ?? "Media", p.Problem)));
        return (problems.Count > 0 ? null : options, problems);
    }
}

/// <summary>The media flags of <c>run</c> and <c>export</c>.</summary>
internal sealed class MediaFlags
{
    public Option<string?> Dir { get; } = new("--media") { Description = "Download the messages' files into DIR/<chat_id>/<message_id>-<file_unique_id>.<ext> (or Media:Dir; off by default)", HelpName = "DIR" };

    public Option<string?> Types { get; } = new("--media-types") { Description = "Which media to download, comma-separated: photo,video,document,audio,voice,animation,video_note,sticker (default photo,video,document,audio,voice)" };

    public Option<string?> MaxSize { get; } = new("--media-max-size") { Description = "Larger files are recorded as failed without a download, e.g. 50MB (the default), 512KB, 2GB" };

    public Option<string?> Parallel { get; } = new("--media-parallel") { Description = "How many files download at once, 1 to 16 (default 3)", HelpName = "N" };

    public IEnumerable<Option> All => [Dir, Types, MaxSize, Parallel];

    public IEnumerable<KeyValuePair<string, string?>> Flags(ParseResult parse) =>
    [
        new("Media:Dir", parse.GetValue(Dir)),
        new("Media:Types", parse.GetValue(Types)),
        new("Media:MaxSize", parse.GetValue(MaxSize)),
        new("Media:Parallel", parse.GetValue(Parallel)),
    ];
}
