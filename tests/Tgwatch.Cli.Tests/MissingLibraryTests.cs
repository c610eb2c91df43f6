using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>
/// The program installed without the libraries that ship beside it: the native executable copied alone (a user who took
/// "the program" for the one file), or the built program without SQLite's native library.
/// </summary>
public sealed class MissingLibraryTests : IDisposable
{
    private const string Token = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi";
    private readonly string _dir = Some.TempDirectory("tgwatch-alone");

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { /* best effort */ }
    }

    [Fact]
    public async Task WithoutSqlitesLibrary_TheRunSaysSoInOneLine_WithoutAStackTrace()
    {
        var (file, program) = await ProgramWithoutSqliteAsync();
        var result = await ProcessRun.RunAsync(file, [.. program, "run", "--bot-api-url", "http://127.0.0.1:9", "--bot-token", Token,
            "--sink", "console", "--data-dir", Path.Combine(_dir, "data")], timeout: TimeSpan.FromSeconds(60));
        var said = result.Stdout + result.Stderr;
        Assert.True(result.ExitCode != 0, "the run went on without SQLite: " + said);
        Assert.Contains(said.Split('\n'), l => l.Contains("cannot load SQLite's library (libe_sqlite3.so), which belongs beside the tgwatch program", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", said, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", said, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, said, StringComparison.Ordinal);
    }

    /// <summary>The program under test in a directory of its own without libe_sqlite3: the file to start and its first arguments.</summary>
    private async Task<(string File, string[] Program)> ProgramWithoutSqliteAsync()
    {
        var home = Path.Combine(_dir, "program");
        if (ProgramUnderTest.Native is { } native)
        {
            Directory.CreateDirectory(home);
            var alone = Path.Combine(home, "tgwatch");
            File.Copy(native, alone);
            return (alone, []);
        }
        // The built program with everything beside it (hard links: the directory is large), less SQLite's native library.
        var copy = await ProcessRun.RunAsync("cp", ["-al", AppContext.BaseDirectory.TrimEnd('/'), home]);
        Assert.True(copy.ExitCode == 0, "cp -al failed: " + copy.Stderr);
        foreach (var library in Directory.EnumerateFiles(home, "*e_sqlite3.*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".dll", StringComparison.Ordinal)))
            File.Delete(library);
        return ("dotnet", [Path.Combine(home, "tgwatch.dll")]);
    }
}
