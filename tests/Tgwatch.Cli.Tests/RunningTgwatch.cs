using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Tgwatch.TestKit;

namespace Tgwatch.Cli.Tests;

/// <summary>A <c>tgwatch run</c> whose log is read as it comes.</summary>
internal sealed partial class RunningTgwatch : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Task _reading;

    private RunningTgwatch(Process process)
    {
        _process = process;
        _process.StandardInput.Close();
        _reading = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line) _lines.Enqueue(line);
        });
    }

    public static RunningTgwatch Start(string[] args, IReadOnlyDictionary<string, string>? environment = null) =>
        new(environment is null ? Tgwatch.Start(args) : Tgwatch.StartWith(environment, args));

    public int ExitCode => _process.ExitCode;

    /// <summary>The address the start line says it serves on.</summary>
    public async Task<string> ServingUrlAsync()
    {
        var line = await Eventually.ValueAsync(() => _lines.FirstOrDefault(l => l.Contains("HTTP: serving", StringComparison.Ordinal)), l => l is not null,
            "the HTTP start line", Tgwatch.Patience, _reading);
        return ServingLine().Match(line!).Groups[1].Value;
    }

    public async Task<string> StopAsync()
    {
        Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        await _process.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        await _reading.WaitAsync(Tgwatch.Patience);
        return string.Concat(_lines.Select(l => l + "\n"));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@" on (http://\S+)$")]
    private static partial Regex ServingLine();
}
