using System.Collections.Concurrent;

namespace Tgwatch.TestKit;

/// <summary>Builders of test data shared by the test projects.</summary>
public static class Some
{
    private static readonly ConcurrentQueue<string> Made = new();

    static Some() => AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveMade();

    /// <summary>
    /// A fresh empty directory under the system temp folder, deleted with everything in it when the test process ends
    /// (a run of the tests leaves nothing behind in the temp folder).
    /// </summary>
    public static string TempDirectory(string prefix = "tgwatch-test")
    {
        var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        Made.Enqueue(path);
        return path;
    }

    /// <summary>Deletes the directories made so far; one still in use (a mount, a child process's files) is left.</summary>
    private static void RemoveMade()
    {
        while (Made.TryDequeue(out var path))
        {
            try
            {
                if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Still in use: left to the system's cleaning of its temp folder.
            }
        }
    }
}
