using Microsoft.Win32.SafeHandles;

namespace Tgwatch.Storage;

/// <summary>
/// Which file a path or an open handle is (device and inode): a writer that compares the file it holds with the one at
/// its path notices that the file was moved or replaced (log rotation) and goes on in the new one.
/// </summary>
/// <param name="Device">The device the file is on.</param>
/// <param name="Inode">The file's inode number on that device.</param>
public readonly record struct FileIdentity(ulong Device, ulong Inode)
{
    /// <summary>The file at <paramref name="path"/>, or null when there is none (or the system cannot say, off Linux).</summary>
    public static FileIdentity? Of(string path) => NativeFiles.Identity(path) is { } id ? new FileIdentity(id.Device, id.Inode) : null;

    /// <summary>
    /// Whether <paramref name="path"/> is something else than a regular file (a device such as <c>/dev/null</c>, a pipe, a
    /// socket, a directory): no place for a file of records. False when nothing is there.
    /// </summary>
    public static bool IsSpecial(string path) => NativeFiles.IsSpecial(path);

    /// <summary>The open file <paramref name="file"/>, or null when the system cannot say (off Linux).</summary>
    public static FileIdentity? Of(SafeFileHandle file) => NativeFiles.Identity(file) is { } id ? new FileIdentity(id.Device, id.Inode) : null;
}
