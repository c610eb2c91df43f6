using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using System.Runtime.InteropServices;
using Tgwatch.Tdlib;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Native;

namespace Tgwatch.Cli.Commands;

/// <summary>
/// <c>tgwatch --version</c>: Tgwatch's version, the TDLib it finds (asked with a synchronous <c>getOption</c>, which no client
/// and no network take part in) or why it finds none, and the .NET runtime.
/// </summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    /// <summary>Tgwatch's version (the package version, without a build suffix).</summary>
    public static string Version { get; } =
        (typeof(VersionAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown").Split('+')[0];

    /// <inheritdoc />
    public override int Invoke(ParseResult parseResult)
    {
        var output = parseResult.InvocationConfiguration.Output;
        output.WriteLine($"tgwatch {Version}");
        output.WriteLine(Tdlib());
        output.WriteLine($".NET {Environment.Version} ({RuntimeInformation.RuntimeIdentifier})");
        return ExitCodes.Ok;
    }

    private static string Tdlib()
    {
        try
        {
            var path = TdJsonLibrary.Load();
            var answer = TdJsonLibrary.ExecuteChecked(new GetOption("version"));
            return $"TDLib {answer.GetProperty("value").GetString()} ({path})";
        }
        catch (TdlibLoadException e)
        {
            return $"TDLib not found: {e.Message}";
        }
    }
}
