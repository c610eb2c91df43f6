using Tgwatch.Tdlib.Native;
using Tgwatch.TestKit;

namespace Tgwatch.Tdlib.Tests;

public sealed class LoadTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void Explicit_path_comes_before_the_environment_and_the_application_directory()
    {
        var (path, source) = TdJsonLibrary.Locate("/opt/x/libtdjson.so", _ => "/env/libtdjson.so", [AppContext.BaseDirectory]);
        Assert.Equal("/opt/x/libtdjson.so", path);
        Assert.Contains("option", source);
    }

    [Fact]
    public void Environment_comes_before_the_application_directory()
    {
        var (path, source) = TdJsonLibrary.Locate(null, name => name == "TGWATCH_TDJSON" ? "/env/libtdjson.so" : null, [AppContext.BaseDirectory]);
        Assert.Equal("/env/libtdjson.so", path);
        Assert.Equal("TGWATCH_TDJSON", source);
    }

    [Fact]
    public void The_build_puts_libtdjson_next_to_the_tests()
    {
        var (path, _) = TdJsonLibrary.Locate(null, NoEnvironment, [AppContext.BaseDirectory]);
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "libtdjson.so"), path);
    }

    [Fact]
    public void No_library_anywhere_is_one_line_naming_the_setting()
    {
        var empty = TestHost.TempDir();
        var e = Assert.Throws<TdlibLoadException>(() => TdJsonLibrary.Locate(null, NoEnvironment, [empty]));
        AssertOneLine(e.Message);
        Assert.Contains("TGWATCH_TDJSON", e.Message);
        Assert.Contains(empty, e.Message);
    }

    [Fact]
    public void Missing_file_is_one_line()
    {
        var e = Assert.Throws<TdlibLoadException>(() => TdJsonLibrary.Open("/nonexistent.so", "TGWATCH_TDJSON"));
        AssertOneLine(e.Message);
        Assert.Equal("libtdjson not found at /nonexistent.so (from TGWATCH_TDJSON)", e.Message);
    }

    [Fact]
    public void A_file_that_is_no_library_is_one_line()
    {
        var file = Path.Combine(TestHost.TempDir(), "libtdjson.so");
        File.WriteAllText(file, "not an ELF file\nsecond line\n");
        var e = Assert.Throws<TdlibLoadException>(() => TdJsonLibrary.Open(file, "the tdjson option"));
        AssertOneLine(e.Message);
        Assert.StartsWith($"cannot load libtdjson from {file} (from the tdjson option): ", e.Message);
    }

    [Fact]
    public void A_library_without_the_tdjson_interface_is_one_line()
    {
        var libc = new[] { "/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib64/libc.so.6" }.First(File.Exists);
        var e = Assert.Throws<TdlibLoadException>(() => TdJsonLibrary.Open(libc, "TGWATCH_TDJSON"));
        AssertOneLine(e.Message);
        Assert.Contains("is not a libtdjson", e.Message);
        Assert.Contains("td_create_client_id", e.Message);
    }

    [Fact]
    public void Multi_line_text_becomes_one_line() =>
        Assert.Equal("a; b", new TdlibLoadException("a\r\n\n b \n").Message);

    [Theory]
    [InlineData("/nonexistent.so", "libtdjson not found at /nonexistent.so (from TGWATCH_TDJSON)")]
    [InlineData("/etc/hostname", "cannot load libtdjson from /etc/hostname (from TGWATCH_TDJSON): ")]
    public async Task A_process_with_a_wrong_TGWATCH_TDJSON_says_so_in_one_line_and_exits_2(string tdjson, string expectedStart)
    {
        if (!File.Exists(tdjson) && tdjson != "/nonexistent.so") return;
        using var child = ProcessRun.Start("dotnet", [TestHost.ChildDll, "load"], redirectStdin: false,
            environment: new Dictionary<string, string> { ["TGWATCH_TDJSON"] = tdjson });
        var result = await ProcessRun.WaitAsync(child, null, TimeSpan.FromSeconds(60));
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("", result.Output);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expectedStart, line);
    }

    [Fact]
    public async Task A_process_without_settings_loads_the_library_the_build_copied()
    {
        using var child = ProcessRun.Start("dotnet", [TestHost.ChildDll, "load"], redirectStdin: false,
            environment: new Dictionary<string, string> { ["TGWATCH_TDJSON"] = "" });
        var result = await ProcessRun.WaitAsync(child, null, TimeSpan.FromSeconds(60));
        Assert.Equal("", result.Stderr);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"loaded {Path.Combine(Path.GetDirectoryName(TestHost.ChildDll)!, "libtdjson.so")}", Assert.Single(result.Lines));
    }

    private static void AssertOneLine(string message)
    {
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\r', message);
        Assert.False(string.IsNullOrWhiteSpace(message));
    }
}
