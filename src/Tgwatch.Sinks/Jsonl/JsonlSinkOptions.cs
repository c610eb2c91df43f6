using Microsoft.Extensions.Options;
using Tgwatch.Storage;
using Tgwatch.Validation;

namespace Tgwatch.Sinks.Jsonl;

/// <summary>Settings of a <see cref="JsonlSink"/>.</summary>
public sealed record JsonlSinkOptions
{
    /// <summary>The file to append to (created when missing, with its directory).</summary>
    [FilePath]
    public required string Path { get; init; }

    /// <summary>
    /// The sink's name in the ledger and in dead letters. <value>Default: <c>jsonl:</c> followed by the full path,
    /// so two JSONL sinks never share a ledger and a new path starts a new one.</value>
    /// </summary>
    [NotBlank(Optional = true)]
    public string? Name { get; init; }

    /// <summary>
    /// Permissions of a file the sink creates; an existing file loses any permission beyond them when the sink opens it
    /// (logged once). <value>Default: 0600.</value>
    /// </summary>
    [OwnerMay(UnixFileMode.UserWrite, "write")]
    public UnixFileMode FileMode { get; init; } = PrivateFiles.Mode;

    /// <summary>Permissions of directories the sink creates. <value>Default: 0700.</value></summary>
    [OwnerMay(UnixFileMode.UserWrite | UnixFileMode.UserExecute, "write and enter")]
    public UnixFileMode DirectoryMode { get; init; } = PrivateDirectory.Mode;

    /// <summary>
    /// Whether each batch is forced to the disk (fsync) before it counts as written. <value>Default: true.</value>
    /// Turning it off trades durability across power loss for speed; a process crash loses nothing either way.
    /// </summary>
    public bool FlushToDisk { get; init; } = true;

    /// <summary>The full path of <see cref="Path"/>.</summary>
    public string FullPath => System.IO.Path.GetFullPath(Path);

    /// <summary>The name the sink goes by: <see cref="Name"/>, else <c>jsonl:</c> + <see cref="FullPath"/>.</summary>
    public string SinkName => Name ?? "jsonl:" + FullPath;

    /// <summary>Checks the settings (<see cref="JsonlSinkOptionsValidator"/>).</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message has one line for each, naming it.</exception>
    public JsonlSinkOptions Validate() => new JsonlSinkOptionsValidator().Check(this);
}

/// <summary>Checks <see cref="JsonlSinkOptions"/> by the rules on its settings, every problem at once.</summary>
[OptionsValidator]
public sealed partial class JsonlSinkOptionsValidator : IValidateOptions<JsonlSinkOptions>;
