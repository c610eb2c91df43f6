using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Tgwatch.Noise.Rules;
using Tgwatch.TestKit;

namespace Tgwatch.Noise.Tests;

/// <summary>
/// The built-in packs' patterns are compiled at build time (source-generated regexes in
/// BuiltInPatterns.cs). This test holds that file to the packs: it fails when a pattern was added or
/// changed without regenerating it (TGWATCH_REGENERATE=1 ./test.sh writes it anew).
/// </summary>
public sealed class BuiltInPatternsTests
{
    private static readonly string FilePath = Repo.Path("src", "Tgwatch.Noise", "Rules", "BuiltInPatterns.cs");

    [Fact]
    public void GeneratedFile_MatchesThePatternsOfTheBuiltInPacks()
    {
        var expected = Render(RuleSet.BuiltInPatternTexts().ToList());
        if (Environment.GetEnvironmentVariable("TGWATCH_REGENERATE") == "1") File.WriteAllText(FilePath, expected);
        Assert.Equal(expected, File.ReadAllText(FilePath));
    }

    [Fact]
    public void EveryBuiltInPattern_IsTheBuildTimeCompiledRegex()
    {
        var patterns = RuleSet.BuiltInPatternTexts().ToList();
        Assert.NotEmpty(patterns);
        foreach (var pattern in patterns)
        {
            var regex = BuiltInPatterns.Find(pattern);
            Assert.NotNull(regex);
            Assert.Equal(pattern, regex.ToString());
            Assert.Equal(RegexOptions.CultureInvariant, regex.Options);
            Assert.Equal(Regex.InfiniteMatchTimeout, regex.MatchTimeout);
            Assert.NotEqual(typeof(Regex), regex.GetType()); // a generated subclass, not a run-time compiled one
        }
        var set = NoiseRules.Load().Set;
        Assert.All(set.Rules.Where(r => r.Head is not null), r => Assert.Same(BuiltInPatterns.Find(r.Head!.ToString()), r.Head));
    }

    [Fact]
    public void UserPatterns_AreCompiledAtRunTimeWithATimeout()
    {
        const string pack = """{"pack":"mine","rules":[{"name":"r","kind":"Network","head":"^mine: (a+)+$"}]}""";
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, pack);
            var rule = NoiseRules.Load([path]).Set.Rules[0];
            Assert.Equal(typeof(Regex), rule.Head!.GetType());
            Assert.Equal(RuleSet.UserPatternTimeout, rule.Head.MatchTimeout);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Render(IReadOnlyList<string> patterns)
    {
        var s = new StringBuilder();
        s.Append("// Generated from Rules/*.rules.json by BuiltInPatternsTests (TGWATCH_REGENERATE=1 ./test.sh); do not edit.\n");
        s.Append("using System.Text.RegularExpressions;\n\n");
        s.Append("namespace Tgwatch.Noise.Rules;\n\n");
        s.Append("/// <summary>The patterns of the built-in rule packs, compiled at build time.</summary>\n");
        s.Append("internal static partial class BuiltInPatterns\n{\n");
        s.Append("    /// <summary>The build-time compiled form of a built-in pattern, or null for any other pattern.</summary>\n");
        s.Append("    public static Regex? Find(string pattern) => pattern switch\n    {\n");
        for (var i = 0; i < patterns.Count; i++)
            s.Append(CultureInfo.InvariantCulture, $"        {Literal(patterns[i])} => P{i}(),\n");
        s.Append("        _ => null,\n    };\n");
        for (var i = 0; i < patterns.Count; i++)
        {
            s.Append(CultureInfo.InvariantCulture, $"\n    [GeneratedRegex({Literal(patterns[i])}, RegexOptions.CultureInvariant)]\n");
            s.Append(CultureInfo.InvariantCulture, $"    private static partial Regex P{i}();\n");
        }
        s.Append("}\n");
        return s.ToString();
    }

    private static string Literal(string text)
    {
        var s = new StringBuilder("\"");
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': s.Append(@"\\"); break;
                case '"': s.Append("\\\""); break;
                case < ' ' or > '~': s.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: s.Append(c); break;
            }
        }
        return s.Append('"').ToString();
    }
}
