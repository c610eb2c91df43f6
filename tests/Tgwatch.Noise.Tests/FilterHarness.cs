using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;

namespace Tgwatch.Noise.Tests;

/// <summary>A text filter over a fake clock, writing to memory, the way <see cref="NoisePump"/> wires one.</summary>
internal sealed partial class FilterHarness
{
    private readonly MemoryStream _output = new();
    private readonly SharedOutput _shared;

    public FilterHarness(NoiseOptions? options = null, NoiseRules? rules = null)
    {
        Options = options ?? new NoiseOptions();
        _shared = new SharedOutput(_output);
        Gate = new NoiseGate(Options, Time, _shared.WriteOwnLine);
        Filter = new TextNoiseFilter(rules ?? BuiltIn, Gate, _shared.WriterFor(0), Time, Options);
    }

    public static NoiseRules BuiltIn { get; } = NoiseRules.Load();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));

    public NoiseOptions Options { get; }

    public NoiseGate Gate { get; }

    public TextNoiseFilter Filter { get; }

    public byte[] OutputBytes => _output.ToArray();

    public string Output => Encoding.UTF8.GetString(_output.ToArray());

    public IReadOnlyList<string> OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public IReadOnlyList<string> Summaries => OutputLines.Where(l => l.StartsWith("[tgwatch] suppressed ", StringComparison.Ordinal)).ToList();

    /// <summary>The summaries of bursts (<c>… in the last 5s: …</c>), without the lines that stand for a burst's first record.</summary>
    public IReadOnlyList<string> BurstSummaries => Summaries.Where(l => BurstSummary().IsMatch(l)).ToList();

    /// <summary>The lines that stand for a burst's first record (<c>[tgwatch] suppressed 1× Network: gist (source) (N lines)</c>).</summary>
    public IReadOnlyList<string> FirstLines => Summaries.Where(l => !BurstSummary().IsMatch(l)).ToList();

    /// <summary>Σ L over the summaries written so far, read from their text as a user would.</summary>
    public long SummarizedLines => Summaries.Sum(s => long.Parse(SummaryLines().Match(s).Groups[1].Value));

    public FilterHarness Write(string text)
    {
        Filter.Write(Encoding.UTF8.GetBytes(text));
        return this;
    }

    public FilterHarness Lines(params string[] lines) => Write(string.Concat(lines.Select(l => l + "\n")));

    public FilterHarness Advance(TimeSpan by)
    {
        Time.Advance(by);
        Filter.Tick();
        Gate.Tick();
        return this;
    }

    public FilterHarness End()
    {
        Filter.Complete();
        _shared.EndOf(0);
        Gate.Flush();
        _shared.Flush();
        return this;
    }

    [GeneratedRegex(@"\((\d+) lines\)$")]
    private static partial Regex SummaryLines();

    [GeneratedRegex(@"^\[tgwatch\] suppressed \d+× \w+ in the last ")]
    private static partial Regex BurstSummary();
}
