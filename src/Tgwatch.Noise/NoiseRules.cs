using Tgwatch.Noise.Rules;

namespace Tgwatch.Noise;

/// <summary>The loaded rule packs: the built-in ones and any given with <c>--rules</c>.</summary>
public sealed class NoiseRules
{
    private NoiseRules(RuleSet set) => Set = set;

    internal RuleSet Set { get; }

    /// <summary>Names of the loaded packs, in order.</summary>
    public IReadOnlyList<string> Packs => Set.Packs;

    /// <summary>Number of rules.</summary>
    public int Count => Set.Rules.Count;

    /// <summary>The built-in packs plus <paramref name="extraFiles"/>, whose rules are tried first.</summary>
    /// <exception cref="RulePackException">A file is unreadable or invalid (one-line message).</exception>
    public static NoiseRules Load(IEnumerable<string>? extraFiles = null) => new(RuleSet.Load(extraFiles));

    /// <summary>Only the given pack texts (JSON).</summary>
    public static NoiseRules FromJson(params string[] packs) => new(RuleSet.FromJson(packs));

    /// <summary>One line per rule: id, kind and label, in evaluation order.</summary>
    public IEnumerable<string> Describe() => Set.Rules.Select(r => $"{r.Id}\t{r.Kind}\t{r.Label}");

    /// <summary>Registers every rule as a source of <paramref name="gate"/>; index i is rule i's source.</summary>
    internal int[] SourcesIn(NoiseGate gate) => Set.Rules.Select(r => gate.AddSource(r.Label, r.Kind)).ToArray();
}
