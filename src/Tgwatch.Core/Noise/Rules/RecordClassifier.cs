using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Tgwatch.Noise.Records;

namespace Tgwatch.Noise.Rules;

/// <summary>Finds the first rule of a <see cref="RuleSet"/> that a complete record matches.</summary>
internal sealed class RecordClassifier(RuleSet rules)
{
    private readonly RecordText _text = new();

    /// <summary>The rule set in use.</summary>
    public RuleSet Rules => rules;

    /// <summary>The index of the first matching rule in <see cref="RuleSet.Rules"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // hot loop: skip the slow first tiers
    public int Classify(RecordBuffer record)
    {
        _text.Reset(record);
        var single = record.LineCount == 1 && !record.HasTraceback;
        if (single && !rules.HasUnfilteredLineRules && _text.Head.IndexOfAny(rules.Literals) < 0)
            return -1;
        var list = rules.Rules;
        for (var i = 0; i < list.Count; i++)
            if (Matches(list[i], single)) return i;
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
            // IsMatch on the span allocates nothing; only a rule that reads groups pays for a Match.
            if (!rule.Head.IsMatch(_text.Head)) return false;
            if (rule.HeadHasGroups) head = rule.Head.Match(_text.HeadString);
        }
        if ((rule.Exceptions is not null || rule.Errno is not null) && !ExceptionMatches(rule, head)) return false;
        return rule.Frame is null || FrameMatches(rule.Frame);
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
        if (_text.Record.HasTraceback) return Accepts(rule, found[^1]);
        // .NET: the outermost exception that is more than a wrapper decides (what it wraps is its cause);
        // when every exception only wraps, the innermost decides.
        for (var i = 0; i < found.Count - 1; i++)
            if (!IsWrapper(found[i])) return Accepts(rule, found[i]);
        return Accepts(rule, found[^1]);
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
