namespace Tgwatch.Media;

/// <summary>What a pipeline needs to download the files of its messages.</summary>
/// <param name="Source">Where files come from: the connector's.</param>
/// <param name="Options">Where they go, which ones, how large.</param>
public sealed record MediaDownloads(IMediaSource Source, MediaOptions Options)
{
    /// <summary>The free bytes of the file system of a directory (null when unknown); <see cref="DriveInfo"/> unless given.</summary>
    public Func<string, long?> FreeSpace { get; init; } = DiskFreeSpace;

    private static long? DiskFreeSpace(string directory)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
