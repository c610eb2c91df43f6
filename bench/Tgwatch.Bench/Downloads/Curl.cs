using System.Diagnostics;

namespace Tgwatch.Bench.Downloads;

/// <summary>The baseline of the <c>media</c> benchmark: one <c>curl</c> process fetching URLs one after another over one connection.</summary>
internal static class Curl
{
    /// <summary>Where curl is on the PATH, or null.</summary>
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => System.IO.Path.Combine(dir, "curl"))
        .FirstOrDefault(File.Exists);

    /// <summary>The arguments of one curl fetching every URL into its path: quiet but for errors, failing on an HTTP error, directories made.</summary>
    public static IReadOnlyList<string> Arguments(IReadOnlyList<(Uri Url, string Path)> files) =>
        ["--silent", "--show-error", "--fail", "--create-dirs", .. files.SelectMany(f => (string[])["--output", f.Path, f.Url.AbsoluteUri])];

    /// <summary>Downloads every URL into its path; the time from curl's start to its exit.</summary>
    /// <exception cref="InvalidOperationException">curl exited with an error (its message included).</exception>
    public static async Task<TimeSpan> DownloadAsync(IReadOnlyList<(Uri Url, string Path)> files)
    {
        var start = new ProcessStartInfo(Path ?? throw new InvalidOperationException("curl is not installed")) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in Arguments(files)) start.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        using var curl = Process.Start(start)!;
        var output = curl.StandardOutput.ReadToEndAsync();
        var errors = curl.StandardError.ReadToEndAsync();
        await curl.WaitForExitAsync();
        var elapsed = clock.Elapsed;
        if (curl.ExitCode != 0) throw new InvalidOperationException($"curl exited with {curl.ExitCode}: {(await errors).Trim()}");
        await output;
        return elapsed;
    }
}
