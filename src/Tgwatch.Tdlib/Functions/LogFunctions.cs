using System.Text.Json.Serialization;

namespace Tgwatch.Tdlib.Functions;

/// <summary><c>setLogStream</c> (synchronous): where TDLib's own log goes.</summary>
/// <param name="LogStream">The stream.</param>
public sealed record SetLogStream(LogStream LogStream) : TdFunction;

/// <summary><c>getLogStream</c> (synchronous).</summary>
public sealed record GetLogStream : TdFunction;

/// <summary><c>setLogVerbosityLevel</c> (synchronous).</summary>
/// <param name="NewVerbosityLevel">0 fatal errors only, 1 errors, 2 warnings, 3 information, 4 debug, 5 verbose debug and above.</param>
public sealed record SetLogVerbosityLevel(int NewVerbosityLevel) : TdFunction;

/// <summary><c>setLogTagVerbosityLevel</c> (synchronous): the level a tag's records are logged at.</summary>
/// <param name="Tag">The tag, e.g. <c>connections</c>.</param>
/// <param name="NewVerbosityLevel">The level (1 to 1024).</param>
public sealed record SetLogTagVerbosityLevel(string Tag, int NewVerbosityLevel) : TdFunction;

/// <summary><c>getLogTagVerbosityLevel</c> (synchronous).</summary>
/// <param name="Tag">The tag.</param>
public sealed record GetLogTagVerbosityLevel(string Tag) : TdFunction;

/// <summary><c>LogStream</c>: where TDLib's own log goes.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "@type")]
[JsonDerivedType(typeof(LogStreamEmpty), "logStreamEmpty")]
public abstract record LogStream
{
    private protected LogStream()
    {
    }
}

/// <summary><c>logStreamEmpty</c>: nowhere (Tgwatch takes TDLib's log through the log callback).</summary>
public sealed record LogStreamEmpty : LogStream;
