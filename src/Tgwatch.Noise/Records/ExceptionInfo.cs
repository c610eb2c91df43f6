namespace Tgwatch.Noise.Records;

/// <summary>One exception found in a log record: its type name and, when printed, its error number.</summary>
/// <param name="Type">The type as printed, e.g. <c>ConnectionResetError</c> or <c>System.Net.Sockets.SocketException</c>.</param>
/// <param name="Code">The errno or native error code printed with it (<c>[Errno 104]</c>, <c>SocketException (111)</c>).</param>
/// <param name="ChainStart">
/// True for the first exception of a chain: each part of a chained Python traceback, and each inner
/// exception an <c>AggregateException</c> lists as <c>(Inner Exception #n)</c>.
/// </param>
/// <param name="Line">The record's line that names it (-1 when it was read from elsewhere, a rule's pattern say).</param>
/// <param name="Column">Where on that line its type starts (after <c>---&gt; </c>, say).</param>
internal readonly record struct ExceptionInfo(string Type, int? Code, bool ChainStart = false, int Line = -1, int Column = 0)
{
    /// <summary>True when <paramref name="name"/> is this type's full name or its last dotted segment.</summary>
    public bool IsNamed(string name)
    {
        if (string.Equals(Type, name, StringComparison.Ordinal)) return true;
        if (name.Contains('.', StringComparison.Ordinal)) return false;
        var dot = Type.LastIndexOf('.');
        return dot >= 0 && Type.AsSpan(dot + 1).SequenceEqual(name);
    }
}
