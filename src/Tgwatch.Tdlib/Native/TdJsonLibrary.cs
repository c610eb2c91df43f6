using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Tgwatch.Tdlib.Functions;

namespace Tgwatch.Tdlib.Native;

/// <summary>
/// Finds and loads libtdjson once per process: an explicit path (the <c>--tdjson</c> option) first, then
/// the <c>TGWATCH_TDJSON</c> environment variable, then <c>libtdjson.so</c> next to the Tgwatch assemblies
/// (where the build puts it on Linux x64).
/// </summary>
public static class TdJsonLibrary
{
    /// <summary>The environment variable that names a libtdjson file.</summary>
    public const string EnvironmentVariable = "TGWATCH_TDJSON";

    /// <summary>The file name looked for next to the assemblies.</summary>
    public const string FileName = "libtdjson.so";

    private static readonly Lock Gate = new();
    private static nint s_handle;
    private static string? s_path;
    private static bool s_resolverSet;

    /// <summary>The path of the loaded library, or null before <see cref="Load"/>.</summary>
    public static string? LoadedPath => s_path;

    /// <summary>
    /// Loads libtdjson unless already loaded and returns its path. Throws <see cref="TdlibLoadException"/>
    /// (one line) when it is missing, cannot be loaded or lacks the TDLib JSON interface.
    /// </summary>
    public static string Load(string? explicitPath = null)
    {
        lock (Gate)
        {
            if (s_path is not null) return s_path;
            var (path, source) = Locate(explicitPath, Environment.GetEnvironmentVariable, AssemblyDirectories());
            var handle = Open(path, source);
            if (!s_resolverSet)
            {
                NativeLibrary.SetDllImportResolver(typeof(TdJson).Assembly, Resolve);
                s_resolverSet = true;
            }
            s_handle = handle;
            s_path = path;
            return path;
        }
    }

    /// <summary>Runs a synchronous TDLib request (<c>td_execute</c>) and returns TDLib's answer, possibly an <c>error</c> object.</summary>
    public static unsafe JsonElement Execute(TdFunction request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Load();
        var utf8 = RequestText.Of(request);
        fixed (byte* text = utf8)
        {
            var answer = TdJson.td_execute_utf8(text);
            if (answer is null) throw new InvalidOperationException("td_execute returned nothing");
            // Read straight out of TDLib's buffer (valid until this thread's next call); ParseValue keeps its own copy.
            var reader = new Utf8JsonReader(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(answer));
            return JsonElement.ParseValue(ref reader);
        }
    }

    /// <summary>Like <see cref="Execute"/>, but an <c>error</c> answer becomes a <see cref="TdlibErrorException"/>.</summary>
    public static JsonElement ExecuteChecked(TdFunction request)
    {
        var answer = Execute(request);
        ThrowIfError(answer, request.TypeName);
        return answer;
    }

    /// <summary>td_execute on raw JSON text; the answer copied out of TDLib's buffer (null when TDLib returned NULL).</summary>
    internal static string? ExecuteRaw(string json)
    {
        var answer = ExecuteUtf8(Encoding.UTF8.GetBytes(json));
        return answer is null ? null : Encoding.UTF8.GetString(answer);
    }

    /// <summary>td_execute on UTF-8 JSON (without the terminating NUL); the answer copied out of TDLib's buffer (null when TDLib returned NULL).</summary>
    internal static unsafe byte[]? ExecuteUtf8(ReadOnlySpan<byte> json)
    {
        Load();
        var utf8 = RequestText.Of(json);
        fixed (byte* text = utf8) return TdJson.Copy(TdJson.td_execute_utf8(text));
    }

    internal static void ThrowIfError(JsonElement answer, string? requestType)
    {
        if (answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("@type", out var type) && type.ValueEquals("error"))
        {
            var code = answer.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
            var message = answer.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
            throw new TdlibErrorException(code, message, requestType);
        }
    }

    /// <summary>Where libtdjson is expected, and which setting said so.</summary>
    internal static (string Path, string Source) Locate(string? explicitPath, Func<string, string?> environment, IEnumerable<string> assemblyDirectories)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath)) return (explicitPath, "the tdjson option");
        var fromEnvironment = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return (fromEnvironment, EnvironmentVariable);
        var dirs = assemblyDirectories.Distinct().ToList();
        foreach (var dir in dirs)
        {
            var candidate = Path.Combine(dir, FileName);
            if (File.Exists(candidate)) return (candidate, "the application directory");
        }
        throw new TdlibLoadException(
            $"{FileName} not found in {string.Join(" or ", dirs)}; set {EnvironmentVariable} (or --tdjson) to the path of libtdjson");
    }

    /// <summary>Loads the file at <paramref name="path"/> and checks that it exports the TDLib JSON interface.</summary>
    internal static nint Open(string path, string source)
    {
        if (!File.Exists(path))
            throw new TdlibLoadException($"libtdjson not found at {path} (from {source})");
        nint handle;
        try
        {
            handle = NativeLibrary.Load(Path.GetFullPath(path));
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            throw new TdlibLoadException($"cannot load libtdjson from {path} (from {source}): {FirstLine(e.Message)}");
        }
        string[] exports = ["td_create_client_id", "td_send", "td_receive", "td_execute", "td_set_log_message_callback"];
        var missing = exports.Where(name => !NativeLibrary.TryGetExport(handle, name, out _)).ToList();
        if (missing.Count > 0)
        {
            NativeLibrary.Free(handle);
            throw new TdlibLoadException($"{path} (from {source}) is not a libtdjson of TDLib 1.8 or later: it lacks {string.Join(", ", missing)}");
        }
        return handle;
    }

    private static string FirstLine(string text) =>
        text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? text;

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != TdJson.LibraryName) return 0;
        Load();
        return s_handle;
    }

    /// <summary>Where the program is: libtdjson is copied next to it (and a single-file build keeps it beside the executable).</summary>
    private static IEnumerable<string> AssemblyDirectories()
    {
        yield return AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
    }
}
