using System.IO.Compression;
using System.Text;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary>Tests that run alone: they take both CPUs for a while (a pack and an install).</summary>
[CollectionDefinition(NotInParallel, DisableParallelization = true)]
public sealed class Isolation
{
    /// <summary>The collection's name.</summary>
    public const string NotInParallel = "run alone";
}

/// <summary>
/// Tgwatch installed as a newcomer installs it: the tool package `dotnet pack` makes, installed with `dotnet tool install`
/// from it alone (no other feed: the tests see only loopback), then run from where it was installed.
/// </summary>
[Collection(Isolation.NotInParallel)] // packs and installs: CPU-heavy, and the demo inside measures nothing a neighbour may slow into a failure
public sealed class InstallTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Some.TempDirectory("tgwatch-install");
    private string _tgwatch = null!;
    private string _package = null!;

    public async Task InitializeAsync()
    {
        var feed = Path.Combine(_dir, "feed");
        // The package for linux-x64 is published (ReadyToRun) by the pack itself: the build before it made the portable program.
        var pack = await ProcessRun.RunAsync("dotnet", ["pack", Repo.Path("src", "Tgwatch.Cli"), "-c", Repo.Configuration, "--no-restore", "-nologo", "-o", feed],
            timeout: TimeSpan.FromMinutes(8));
        Assert.True(pack.ExitCode == 0, "dotnet pack failed: " + pack.Stdout + pack.Stderr);
        // Two packages: Tgwatch (which names the one for each runtime) and Tgwatch.linux-x64 (the program).
        var packages = Directory.GetFiles(feed, "Tgwatch.*.nupkg");
        Assert.Equal(2, packages.Length);
        _package = Assert.Single(packages, p => Path.GetFileName(p).StartsWith("Tgwatch.linux-x64.", StringComparison.Ordinal));
        var config = Path.Combine(_dir, "nuget.config");
        await File.WriteAllTextAsync(config,
            $"""<?xml version="1.0" encoding="utf-8"?><configuration><packageSources><clear /><add key="local" value="{feed}" /></packageSources></configuration>""");
        var tools = Path.Combine(_dir, "tools");
        var install = await ProcessRun.RunAsync("dotnet", ["tool", "install", "--tool-path", tools, "Tgwatch", "--configfile", config], timeout: TimeSpan.FromMinutes(3));
        Assert.True(install.ExitCode == 0, "dotnet tool install failed: " + install.Stdout + install.Stderr);
        _tgwatch = Path.Combine(tools, "tgwatch");
    }

    public Task DisposeAsync()
    {
        // The package, the tool installed from it and its runs: about 200 MB a run, left behind they fill the disk.
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { /* best effort */ }
        catch (UnauthorizedAccessException) { /* best effort */ }
        return Task.CompletedTask;
    }

    [Fact]
    public void ThePackage_HoldsTheProgramAndLibtdjson_AndNoSymbolsDocsOrTestFiles()
    {
        using var zip = ZipFile.OpenRead(_package);
        var files = zip.Entries.Select(e => e.FullName).Where(f => f.StartsWith("tools/", StringComparison.Ordinal)).ToList();
        Assert.Contains(files, f => f.EndsWith("/tgwatch.dll", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("/libtdjson.so", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal));
        Assert.DoesNotContain(files, f => f.EndsWith(".pdb", StringComparison.Ordinal) || (f.EndsWith(".xml", StringComparison.Ordinal) && !f.EndsWith("/DotnetToolSettings.xml", StringComparison.Ordinal)));
        Assert.DoesNotContain(files, f => f.Contains("Tests", StringComparison.Ordinal) || f.Contains("TestKit", StringComparison.Ordinal) || f.Contains("xunit", StringComparison.OrdinalIgnoreCase)
            || f.Contains("Fixture", StringComparison.OrdinalIgnoreCase) || f.Contains("NoisyClient", StringComparison.Ordinal) || f.Contains("Child", StringComparison.Ordinal));
        Assert.Contains(zip.Entries, e => e.FullName == "README.md");
    }

    [Fact]
    public void TheProgramInThePackage_IsCompiledAheadOfTime()
    {
        // ReadyToRun code: the program's start and its first messages are not spent compiling (issue 17's first record).
        using var zip = ZipFile.OpenRead(_package);
        foreach (var name in new[] { "tgwatch.dll", "Tgwatch.Core.dll", "Telegram.Bot.dll" })
        {
            using var copy = new MemoryStream();
            using (var entry = Assert.Single(zip.Entries, e => e.FullName.EndsWith("/" + name, StringComparison.Ordinal)).Open()) entry.CopyTo(copy);
            copy.Position = 0;
            using var pe = new System.Reflection.PortableExecutable.PEReader(copy);
            Assert.True(pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"{name} in the package holds no ReadyToRun code");
        }
    }

    [Fact]
    public async Task TheInstalledTool_SaysItsVersionAndTheTdlibItFound()
    {
        var run = await ProcessRun.RunAsync(_tgwatch, ["--version"]);
        var lines = Encoding.UTF8.GetString(run.Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^tgwatch \d+\.\d+\.\d+$", lines[0]);
        Assert.StartsWith("TDLib 1.8.65 (", lines[1]);
        Assert.Contains(Path.Combine(_dir, "tools"), lines[1]); // the library inside the installed package, not one of the repository
        Assert.StartsWith(".NET 10.", lines[2]);
    }

    [Fact]
    public async Task TheInstalledTool_RunsTheDemo_AndLosesNothing()
    {
        var run = await ProcessRun.RunAsync(_tgwatch, ["demo", "--seconds", "5"], timeout: TimeSpan.FromMinutes(2));
        output.WriteLine(run.Stderr);
        Assert.Equal(0, run.ExitCode);
        var all = Encoding.UTF8.GetString(run.Stdout) + run.Stderr;
        Assert.Matches(@"sent (\d+), received \1, duplicates 0, lost 0", all);
    }

    [Fact]
    public async Task TheInstalledTool_LogsInThroughItsOwnTdlib_AndWithoutANetworkSaysSoInOneLine()
    {
        using var login = ProcessRun.Start(_tgwatch, ["login", "--api-id", "1", "--api-hash", "0123456789abcdef0123456789abcdef", "--phone", "+10000000000", "--data-dir", Path.Combine(_dir, "data")],
            environment: new Dictionary<string, string> { ["TGWATCH__TDLIB__TIMEOUTSECONDS"] = "3", ["TGWATCH_TDJSON"] = "" });
        var run = await ProcessRun.WaitAsync(login, null, TimeSpan.FromMinutes(1));
        output.WriteLine(run.Stderr);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("tgwatch login: no answer from Telegram to setAuthenticationPhoneNumber within 3 s: is the network (or the proxy) down?", run.Stderr);
        Assert.DoesNotContain("0123456789abcdef0123456789abcdef", run.Stderr);
        Assert.True(Directory.Exists(Path.Combine(_dir, "data", "tdlib", "default")), "the session directory TDLib opened");
    }
}
