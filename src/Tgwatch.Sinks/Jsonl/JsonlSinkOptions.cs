using Tgwatch.Storage;

namespace Tgwatch.Sinks.Jsonl;

/// <summary>Settings of a <see cref="JsonlSink"/>.</summary>
public sealed record JsonlSinkOptions
{
    /// <summary>The file to append to (created when missing, with its directory).</summary>
    public required string Path { get; init; }

    /// <summary>
    /// The sink's name in the ledger and in dead letters. <value>Default: <c>jsonl:</c> followed by the full path,
    /// so two JSONL sinks never share a ledger and a new path starts a new one.</value>
    /// </summary>
    public string? Name { get; init; }

    /// <summary>
    /// Permissions of a file the sink creates; an existing file loses any permission beyond them when the sink opens it
    /// (logged once). <value>Default: 0600.</value>
    /// </summary>
    public UnixFileMode FileMode { get; init; } = PrivateFiles.Mode;

    /// <summary>Permissions of directories the sink creates. <value>Default: 0700.</value></summary>
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

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message (one line) names it.</exception>
    public JsonlSinkOptions Validate()
    {
        if (string.IsNullOrWhiteSpace(Path))
            throw new ArgumentException("JsonlSinkOptions.Path must name a file", nameof(Path));
        if (Path.IndexOf('\0') >= 0)
            throw new ArgumentException("JsonlSinkOptions.Path must not contain a NUL character", nameof(Path));
        if (Path.EndsWith('/') || Directory.Exists(Path))
            throw new ArgumentException($"JsonlSinkOptions.Path must name a file, not a directory: {Path}", nameof(Path));
        if (Name is not null && string.IsNullOrWhiteSpace(Name))
            throw new ArgumentException("JsonlSinkOptions.Name must not be blank (leave it null for the default)", nameof(Name));
        if ((FileMode & UnixFileMode.UserWrite) == 0)
            throw new ArgumentException("JsonlSinkOptions.FileMode must let the owner write", nameof(FileMode));
        if ((DirectoryMode & (UnixFileMode.UserWrite | UnixFileMode.UserExecute)) != (UnixFileMode.UserWrite | UnixFileMode.UserExecute))
            throw new ArgumentException("JsonlSinkOptions.DirectoryMode must let the owner write and enter", nameof(DirectoryMode));
        return this;
    }
}
