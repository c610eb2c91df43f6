using System.Text.RegularExpressions;
using Tgwatch.Faults;

namespace Tgwatch.Noise.Rules;

/// <summary>
/// One rule of a rule pack: what a record of one library's output looks like and what fault kind it
/// stands for. Every condition that is set must hold.
/// </summary>
internal sealed class NoiseRule
{
    /// <summary>Stable identifier, <c>pack.name</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Short text for summaries, e.g. "asyncio socket.send()".</summary>
    public required string Label { get; init; }

    /// <summary>The fault kind of a matching record.</summary>
    public required FaultKind Kind { get; init; }

    /// <summary>
    /// Pattern for the first line of the record (colour codes and the line end removed). Named groups
    /// <c>type</c> and <c>errno</c>, when present, are read as an exception type and error number.
    /// </summary>
    public Regex? Head { get; init; }

    /// <summary>True when <see cref="Head"/> has a <c>type</c> or <c>errno</c> group to read.</summary>
    public bool HeadHasGroups { get; init; }

    /// <summary>Text the first line must contain; checked before <see cref="Head"/> to keep the common path fast.</summary>
    public string? Literal { get; init; }

    /// <summary>Exception types, one of which the record must carry (see <see cref="Records.ExceptionInfo.IsNamed"/>).</summary>
    public IReadOnlyList<string>? Exceptions { get; init; }

    /// <summary>Error numbers, one of which the matched exception must carry; <c>-1</c> stands for "none printed".</summary>
    public IReadOnlySet<int>? Errno { get; init; }

    /// <summary>Pattern that at least one stack frame (file path or method) of the record must match.</summary>
    public Regex? Frame { get; init; }

    /// <summary>Which part of a record the exception condition reads.</summary>
    public RecordShape Shape { get; init; } = RecordShape.Any;
}

/// <summary>The structure a rule expects of a record.</summary>
internal enum RecordShape
{
    /// <summary>Any record.</summary>
    Any,

    /// <summary>A Python traceback: the exception condition reads the exception that ended it.</summary>
    PythonTraceback,

    /// <summary>A .NET exception block: the outermost exception that is not a known wrapper is matched (the innermost when all are).</summary>
    DotNetException,

    /// <summary>A single line (no continuation lines).</summary>
    Line,
}
