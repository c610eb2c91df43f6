using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Tgwatch.Noise.Records;

namespace Tgwatch.Noise.Rules;

/// <summary>Finds the first rule of a <see cref="RuleSet"/> that a complete record matches.</summary>
internal sealed class RecordClassifier(RuleSet rules)
{
    private readonly RecordText _text = new();
    private readonly RepeatedLines _repeated = new();
    private RecordBuffer? _unread;
    private bool _timedOut;

    /// <summary>First lines longer than this are not matched against patterns (no log line of a library is that long).</summary>
    public const int MaxHeadLength = 4096;

    /// <summary>Bytes of lines remembered with the rules that took them.</summary>
    public long RetainedBytes => _repeated.RetainedBytes;

    /// <summary>The rule set in use.</summary>
    public RuleSet Rules => rules;

    /// <summary>The index of the first matching rule in <see cref="RuleSet.Rules"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the slow first tiers
    public int Classify(RecordBuffer record)
    {
        if (record.LineCount != 1 || record.HasTraceback) return Decide(record, single: false);
        // A single line's rule depends on its bytes alone: a repeat is not read again.
        var content = LineShape.Content(record.Line(0));
        var known = _repeated.Find(content);
        if (known >= 0)
        {
            _unread = record;
            return known;
        }
        var rule = Decide(record, single: true);
        // A rule chosen because a pattern before it ran out of time is not the line's answer for good: that pattern may finish another time.
        if (rule >= 0 && !_timedOut) _repeated.Remember(content, rule);
        return rule;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the slow first tiers
    private int Decide(RecordBuffer record, bool single)
    {
        _unread = null;
        _timedOut = false;
        _text.Reset(record);
        if (single && !rules.HasUnfilteredLineRules && _text.Head.IndexOfAny(rules.Literals) < 0)
            return -1;
        var list = rules.Rules;
        for (var i = 0; i < list.Count; i++)
        {
            try
            {
                if (Matches(list[i], single)) return i;
            }
            catch (RegexMatchTimeoutException)
            {
                // A user's pattern that backtracks without end: this rule does not match, the next ones are tried.
                _timedOut = true;
            }
        }
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the slow first tiers
    private bool Matches(NoiseRule rule, bool single)
    {
        switch (rule.Shape)
        {
            case RecordShape.Line when !single:
            case RecordShape.PythonTraceback when !_text.Record.HasTraceback:
            case RecordShape.DotNetException when _text.Record.HasTraceback:
                return false;
        }
        if (single && rule.Head is null) return false;
        if (rule.Literal is not null && !_text.Head.Contains(rule.Literal, StringComparison.Ordinal)) return false;
        Match? head = null;
        if (rule.Head is not null)
        {
            if (_text.Head.Length > MaxHeadLength) return false;
            // IsMatch on the span allocates nothing; only a rule that reads groups pays for a Match.
            if (!rule.Head.IsMatch(_text.Head)) return false;
            if (rule.HeadHasGroups) head = rule.Head.Match(_text.HeadString);
        }
        if ((rule.Exceptions is not null || rule.Errno is not null) && !ExceptionMatches(rule, head)) return false;
        return rule.Frame is null || FrameMatches(rule.Frame);
    }

    /// <summary>
    /// What the record last classified says, on one line: the exception that decides it as printed
    /// (<c>ConnectionResetError: [Errno 104] Connection reset by peer</c>), else its first line.
    /// </summary>
    public string Gist()
    {
        if (_unread is { } record)
        {
            _unread = null;
            _text.Reset(record);
        }
        var found = _text.Exceptions;
        if (found.Count > 0)
        {
            var decisive = DecisiveOfEachChain(found, _text.Record.HasTraceback);
            var main = _text.Record.HasTraceback ? decisive[^1] : decisive[0];
            if (_text.TextOf(main) is { } text) return RecordGist.Of(text);
        }
        return RecordGist.Of(_text.Head);
    }

    private bool ExceptionMatches(NoiseRule rule, Match? head)
    {
        // A head pattern that names the exception (groups "type", "errno") decides from the line itself.
        var type = head is not null && head.Groups.TryGetValue("type", out var t) && t.Success ? t.Value : null;
        var errno = head is not null && head.Groups.TryGetValue("errno", out var e) && e.Success ? e : null;
        if (type is not null || errno is not null || (head is not null && head.Groups.ContainsKey("errno")))
        {
            int? code = errno is not null && int.TryParse(errno.ValueSpan, out var n) ? n : null;
            return Accepts(rule, new ExceptionInfo(type ?? "", code));
        }
        var found = _text.Exceptions;
        if (found.Count == 0) return false;
        // Each chain has an exception that decides it: for a Python traceback the one that ended the
        // part, for .NET the outermost that is more than a wrapper. A loud rule (Resource) takes the
        // record when any chain is its; a noise rule only when the last Python part (the first .NET
        // chain) is its and every other chain is noise too, so a disk-full error or a bug chained with
        // a connection reset stays loud.
        var decisive = DecisiveOfEachChain(found, _text.Record.HasTraceback);
        if (!NoiseGate.Collapses(rule.Kind))
        {
            foreach (var chain in decisive)
                if (Accepts(rule, chain)) return true;
            return false;
        }
        var main = _text.Record.HasTraceback ? decisive[^1] : decisive[0];
        if (!Accepts(rule, main)) return false;
        foreach (var chain in decisive)
            if (!IsNoise(chain)) return false;
        return true;
    }

    private List<ExceptionInfo> DecisiveOfEachChain(IReadOnlyList<ExceptionInfo> found, bool python)
    {
        if (python) return [.. found];
        var decisive = new List<ExceptionInfo>();
        for (var start = 0; start < found.Count;)
        {
            var end = start + 1;
            while (end < found.Count && !found[end].ChainStart) end++;
            var pick = end - 1;
            for (var i = start; i < end - 1; i++)
                if (!IsWrapper(found[i])) { pick = i; break; }
            decisive.Add(found[pick]);
            start = end;
        }
        return decisive;
    }

    /// <summary>Whether some rule of a collapsed kind accepts this exception (its exception conditions alone).</summary>
    private bool IsNoise(ExceptionInfo e)
    {
        foreach (var r in rules.Rules)
            if (NoiseGate.Collapses(r.Kind) && r.Head is null && (r.Exceptions is not null || r.Errno is not null) && Accepts(r, e))
                return true;
        return false;
    }

    private bool IsWrapper(ExceptionInfo e)
    {
        foreach (var w in rules.Wrappers)
            if (e.IsNamed(w)) return true;
        return false;
    }

    private static bool Accepts(NoiseRule rule, ExceptionInfo e)
    {
        if (rule.Exceptions is not null)
        {
            var named = false;
            foreach (var name in rule.Exceptions)
                if (e.IsNamed(name)) { named = true; break; }
            if (!named) return false;
        }
        return rule.Errno is null || rule.Errno.Contains(e.Code ?? -1);
    }

    private bool FrameMatches(Regex frame)
    {
        foreach (var f in _text.Frames)
            if (frame.IsMatch(f)) return true;
        return false;
    }
}
