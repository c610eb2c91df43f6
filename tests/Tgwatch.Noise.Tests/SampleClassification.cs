using Tgwatch.Noise.Records;
using Tgwatch.Noise.Rules;
using Tgwatch.TestKit;

namespace Tgwatch.Noise.Tests;

/// <summary>Groups and classifies a text the way the filter does, reporting which rule took each record.</summary>
internal static class SampleClassification
{
    public static readonly RuleSet Rules = RuleSet.Load();

    public static string SamplePath(string name) => Repo.Path("tests", "Tgwatch.Noise.Tests", "Samples", name);

    public static List<(string? RuleId, string Text)> Classify(byte[] text)
    {
        var classifier = new RecordClassifier(Rules);
        var records = new List<(string?, string)>();
        var grouper = new RecordGrouper(Rules.ContinuationPrefixes, Rules.TracebackPreambles, 500, 65536, r =>
        {
            var i = classifier.Classify(r);
            records.Add((i < 0 ? null : Rules.Rules[i].Id, System.Text.Encoding.UTF8.GetString(r.Bytes)));
        });
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != (byte)'\n') continue;
            grouper.Add(text.AsSpan(start, i + 1 - start));
            start = i + 1;
        }
        if (start < text.Length) grouper.Add(text.AsSpan(start));
        grouper.Flush();
        return records;
    }

    public static List<(string? RuleId, string Text)> ClassifySample(string name) => Classify(File.ReadAllBytes(SamplePath(name)));
}
