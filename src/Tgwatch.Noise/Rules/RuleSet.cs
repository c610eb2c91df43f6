using System.Buffers;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tgwatch.Faults;
using Tgwatch.Formatting;
using Tgwatch.Noise.Records;

namespace Tgwatch.Noise.Rules;

/// <summary>The rules of all loaded packs, in order, with the look-up tables the classifier needs.</summary>
internal sealed class RuleSet
{
    private const string ResourcePrefix = "Tgwatch.Noise.Rules.";

    private RuleSet(List<NoiseRule> rules, List<string> continuationPrefixes, List<Regex> preambles, HashSet<string> wrappers, List<string> packs)
    {
        TracebackPreambles = preambles;
        Rules = rules;
        ContinuationPrefixes = continuationPrefixes;
        Wrappers = wrappers;
        Packs = packs;
        var literals = rules.Where(r => r.Literal is not null).Select(r => r.Literal!).Distinct(StringComparer.Ordinal).ToArray();
        Literals = SearchValues.Create(literals, StringComparison.Ordinal);
        HasUnfilteredLineRules = rules.Any(r => r.Head is not null && r.Literal is null);
    }

    /// <summary>The rules in evaluation order: the first that matches decides.</summary>
    public IReadOnlyList<NoiseRule> Rules { get; }

    /// <summary>Names of the loaded packs.</summary>
    public IReadOnlyList<string> Packs { get; }

    /// <summary>Line starts that continue the record before them (e.g. asyncio's <c>protocol: &lt;</c>).</summary>
    public IReadOnlyList<string> ContinuationPrefixes { get; }

    /// <summary>First lines of log messages that introduce the traceback right after them.</summary>
    public IReadOnlyList<Regex> TracebackPreambles { get; }

    /// <summary>.NET exception types that only wrap the exception that matters.</summary>
    public IReadOnlySet<string> Wrappers { get; }

    /// <summary>Every rule literal: a first line containing none of them can only match rules without a literal.</summary>
    public SearchValues<string> Literals { get; }

    /// <summary>True when some rule has a head pattern but no literal, so every first line must be tried.</summary>
    public bool HasUnfilteredLineRules { get; }

    /// <summary>The packs built into Tgwatch, followed by <paramref name="extraFiles"/> (whose rules come first).</summary>
    public static RuleSet Load(IEnumerable<string>? extraFiles = null)
    {
        var files = new List<(string Name, RulePackFile Pack, bool BuiltIn)>();
        foreach (var path in extraFiles ?? [])
        {
            string json;
            try { json = File.ReadAllText(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new RulePackException($"rules file {path}: cannot be read ({e.GetType().Name})", e);
            }
            files.Add((path, Parse(path, json), false));
        }
        foreach (var (name, pack) in BuiltInPacks()) files.Add((name, pack, true));
        return Build(files);
    }

    /// <summary>The packs built into Tgwatch (embedded resources), by file name, in load order.</summary>
    internal static IEnumerable<(string Name, RulePackFile Pack)> BuiltInPacks()
    {
        var assembly = typeof(RuleSet).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return (name[ResourcePrefix.Length..], Parse(name, reader.ReadToEnd()));
        }
    }

    /// <summary>Every pattern of the built-in packs (traceback preambles, heads, frames), each once, in load order.</summary>
    internal static IEnumerable<string> BuiltInPatternTexts() =>
        BuiltInPacks().SelectMany(p => (p.Pack.TracebackPreambles ?? [])
            .Concat((p.Pack.Rules ?? []).SelectMany(r => new[] { r.Head, r.Frame }).OfType<string>()))
            .Distinct(StringComparer.Ordinal);

    /// <summary>A rule set of the given pack texts only (for tests and tools).</summary>
    public static RuleSet FromJson(params string[] packs) =>
        Build(packs.Select((json, i) => ($"pack#{i}", Parse($"pack#{i}", json), false)).ToList());

    private static RulePackFile Parse(string name, string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, RulePackJsonContext.Default.RulePackFile)
                ?? throw new RulePackException($"rules file {name}: empty");
        }
        catch (JsonException e)
        {
            throw new RulePackException($"rules file {name}: invalid JSON at line {e.LineNumber + 1}: {TextLines.FirstLine(e.Message)}", e);
        }
    }


    private static RuleSet Build(List<(string Name, RulePackFile Pack, bool BuiltIn)> files)
    {
        var rules = new List<NoiseRule>();
        var prefixes = new List<string>();
        var preambles = new List<Regex>();
        var wrappers = new HashSet<string>(StringComparer.Ordinal);
        var packs = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (file, pack, builtIn) in files)
        {
            var packName = pack.Pack is { Length: > 0 } p ? p : throw new RulePackException($"rules file {file}: \"pack\" is missing");
            packs.Add(packName);
            if ((pack.ContinuationPrefixes ?? []).Any(p => p is null) || (pack.TracebackPreambles ?? []).Any(p => p is null)
                || (pack.Wrappers ?? []).Any(w => w is null) || (pack.Rules ?? []).Any(r => r is null))
                throw new RulePackException($"rules file {file}: a list holds null");
            prefixes.AddRange((pack.ContinuationPrefixes ?? []).Where(s => s.Length > 0));
            wrappers.UnionWith(pack.Wrappers ?? []);
            foreach (var pattern in pack.TracebackPreambles ?? [])
                preambles.Add(Compile(() => $"rules file {file}", "tracebackPreambles", pattern, builtIn)!);
            foreach (var r in pack.Rules ?? [])
            {
                var rule = BuildRule(file, packName, r, builtIn);
                if (!ids.Add(rule.Id)) throw new RulePackException($"rules file {file}: rule '{rule.Id}' is defined twice");
                rules.Add(rule);
            }
        }
        return new RuleSet(rules, prefixes.Distinct(StringComparer.Ordinal).ToList(), preambles, wrappers, packs);
    }

    private static NoiseRule BuildRule(string file, string pack, RuleFile r, bool builtIn)
    {
        var name = r.Name is { Length: > 0 } n ? n : throw new RulePackException($"rules file {file}: a rule has no \"name\"");
        string Where() => $"rules file {file}: rule '{name}'";
        if (!Enum.TryParse<FaultKind>(r.Kind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
            throw new RulePackException($"{Where()}: unknown kind '{r.Kind}' (use one of {string.Join(", ", Enum.GetNames<FaultKind>())})");
        var shape = RecordShape.Any;
        if (r.Shape is not null && (!Enum.TryParse(r.Shape, ignoreCase: true, out shape) || !Enum.IsDefined(shape)))
            throw new RulePackException($"{Where()}: unknown shape '{r.Shape}' (use one of {string.Join(", ", Enum.GetNames<RecordShape>())})");
        if ((r.Exceptions ?? []).Any(e => string.IsNullOrEmpty(e)) || (r.Errno ?? []).Any(e => e is null))
            throw new RulePackException($"{Where()}: \"exceptions\" and \"errno\" may not hold null or empty names");
        if (r.Head is null && r.Exceptions is null && r.Frame is null)
            throw new RulePackException($"{Where()}: needs at least one of \"head\", \"exceptions\", \"frame\"");
        HashSet<int>? errno = null;
        if (r.Errno is not null)
        {
            errno = [];
            foreach (var e in r.Errno)
                errno.Add(e == "none" ? -1 : Errno.Parse(e) ?? throw new RulePackException($"{Where()}: unknown errno '{e}'"));
        }
        if (r.Literal is not null && r.Head is null)
            throw new RulePackException($"{Where()}: \"literal\" needs a \"head\" pattern");
        var head = Compile(Where, "head", r.Head, builtIn);
        return new NoiseRule
        {
            HeadHasGroups = head is not null && (head.GroupNumberFromName("type") >= 0 || head.GroupNumberFromName("errno") >= 0),
            Id = $"{pack}.{name}",
            Label = r.Label ?? name,
            Kind = kind,
            Shape = shape,
            Literal = r.Literal is { Length: > 0 } lit ? lit : null,
            Head = head,
            Frame = Compile(Where, "frame", r.Frame, builtIn),
            Exceptions = r.Exceptions,
            Errno = errno,
        };
    }

    /// <summary>The time-out of a pattern from a user's rules file: one that backtracks without end is cut off (no match).</summary>
    internal static readonly TimeSpan UserPatternTimeout = TimeSpan.FromMilliseconds(100);

    private static Regex? Compile(Func<string> where, string field, string? pattern, bool builtIn)
    {
        if (pattern is null) return null;
        // Built-in patterns are written to stay linear and run without a time-out (its bookkeeping would
        // cost more than the match); they only ever see lines up to RecordClassifier.MaxHeadLength.
        // Built-in patterns come compiled at build time (BuiltInPatterns.cs): a pattern compiled at run
        // time costs milliseconds of JIT at its first match, on the reading thread.
        if (builtIn && BuiltInPatterns.Find(pattern) is { } generated) return generated;
        var timeout = builtIn ? Regex.InfiniteMatchTimeout : UserPatternTimeout;
        try { return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, timeout); }
        catch (ArgumentException e) { throw new RulePackException($"{where()}: \"{field}\" is not a valid pattern: {TextLines.FirstLine(e.Message)}", e); }
    }
}
