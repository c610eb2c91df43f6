using System.Diagnostics;

namespace Tgwatch.Bench.Peers;

/// <summary>
/// A program that receives a bot's messages by getUpdates long polling and writes each as a JSON line to a file: how it
/// is started against an API server, with a token, writing into a directory of its own (its output is <see cref="OutputIn"/>).
/// </summary>
internal sealed class Peer
{
    public const string TgwatchName = "tgwatch";
    public const string PlainName = "plain";
    public const string GrammyName = "grammy";

    private readonly Func<Uri, string, string, string[]> _command;

    private Peer(string name, string label, Func<Uri, string, string, string[]> command)
    {
        Name = name;
        Label = label;
        _command = command;
    }

    public string Name { get; }

    /// <summary>How the table names it.</summary>
    public string Label { get; }

    public static string OutputIn(string dir) => Path.Combine(dir, "out.jsonl");

    /// <summary>The command line (program first) of this peer for a bot <paramref name="token"/> on <paramref name="api"/>, working in <paramref name="dir"/>.</summary>
    public string[] Command(Uri api, string token, string dir) => _command(api, token, dir);

    /// <summary>
    /// <c>tgwatch run</c> with a JSONL sink and its state store in the directory: the native executable as shipped, the .NET
    /// tool's ReadyToRun build, or as <c>dotnet build</c> leaves it.
    /// </summary>
    public static Peer Tgwatch(string root, TgwatchBuild build)
    {
        var dll = Path.Combine(root, "src", "Tgwatch.Cli", "bin", "Release", "net10.0", "tgwatch.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: dotnet build -c Release Tgwatch.sln");
        (string[] program, var label) = build switch
        {
            TgwatchBuild.Native => ([QuietThroughput.PublishNative(root)], "`tgwatch run`"),
            TgwatchBuild.Tool => ([QuietThroughput.PublishTool(root)], "`tgwatch run` (tool)"),
            _ => (new[] { "dotnet", dll }, "`tgwatch run` (build)"),
        };
        return new Peer(TgwatchName, label, (api, token, dir) =>
            [.. program, "run", "--bot-api-url", api.ToString(), "--bot-token", token, "--sink", $"jsonl:{OutputIn(dir)}", "--data-dir", Path.Combine(dir, "data")]);
    }

    /// <summary>bench/PlainBot: Telegram.Bot's receiving loop, built here (Release).</summary>
    public static Peer Plain(string root)
    {
        var project = Path.Combine(root, "bench", "PlainBot", "PlainBot.csproj");
        Run("dotnet", ["build", project, "-c", "Release", "-nologo", "-clp:ErrorsOnly", "-v:q"], root);
        var dll = Path.Combine(root, "bench", "PlainBot", "bin", "Release", "net10.0", "PlainBot.dll");
        return new Peer(PlainName, "Telegram.Bot loop", (api, token, dir) =>
            ["dotnet", dll, api.GetLeftPart(UriPartial.Authority), token, OutputIn(dir)]);
    }

    /// <summary>bench/grammy: grammY's bot.start(), its packages installed here from the lock file; null (and why) without node and npm.</summary>
    public static Peer? Grammy(string root, out string? why)
    {
        var dir = Path.Combine(root, "bench", "grammy");
        why = null;
        try
        {
            if (!Directory.Exists(Path.Combine(dir, "node_modules", "grammy")))
                Run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], dir);
            Run("node", ["--version"], dir);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            why = e.Message;
            return null;
        }
        var script = Path.Combine(dir, "bot.js");
        return new Peer(GrammyName, "grammY (node)", (api, token, dir) => ["node", script, api.GetLeftPart(UriPartial.Authority), token, OutputIn(dir)]);
    }

    private static void Run(string program, string[] args, string workingDirectory)
    {
        var start = new ProcessStartInfo(program, args) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)}: exit code {process.ExitCode}");
    }
}
