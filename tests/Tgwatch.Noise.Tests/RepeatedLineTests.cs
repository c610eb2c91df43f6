using System.Text;
using System.Text.RegularExpressions;
using Tgwatch.Noise.Records;
using Tgwatch.Noise.Rules;

namespace Tgwatch.Noise.Tests;

/// <summary>
/// A line classified before is answered from memory (<see cref="RepeatedLines"/>): the answers must be
/// those of a classifier that has seen nothing, whatever came between and however the lines share slots.
/// </summary>
public sealed partial class RepeatedLineTests
{
    [Fact]
    public void A_line_seen_again_gets_the_rule_and_the_gist_a_fresh_classifier_gives()
    {
        var lines = DistinctLines();
        Assert.True(lines.Count > 1024, $"only {lines.Count} distinct lines: too few to fill the memory's slots");
        var random = new Random(7);
        var classifier = new RecordClassifier(SampleClassification.Rules);
        var record = new RecordBuffer();
        var hits = 0;
        for (var i = 0; i < 20_000; i++)
        {
            // Most picks come from a few lines, as noise does; the rest spread over all of them.
            var line = random.Next(4) == 0 ? lines[random.Next(lines.Count)] : lines[random.Next(40)];
            record.Clear();
            record.Append(line);
            var rule = classifier.Classify(record);
            var expected = Fresh(line);
            Assert.True(expected.Rule == rule, $"{Encoding.UTF8.GetString(line).TrimEnd()}: rule {rule}, a fresh classifier says {expected.Rule}");
            if (rule < 0) continue;
            hits++;
            Assert.Equal(expected.Gist, classifier.Gist());
        }
        Assert.True(hits > 5_000, $"only {hits} picks were noise: the test does not exercise the memory");
    }

    [Fact]
    public void A_multi_line_record_is_not_answered_by_its_first_line()
    {
        var classifier = new RecordClassifier(SampleClassification.Rules);
        var record = new RecordBuffer();
        record.Append("Traceback (most recent call last):\n"u8);
        record.Append("  File \"/app/bot.py\", line 3, in main\n"u8);
        record.Append("OSError: [Errno 28] No space left on device\n"u8);
        record.HasTraceback = true;
        var loud = classifier.Classify(record);
        record.Clear();
        record.Append("Traceback (most recent call last):\n"u8);
        record.Append("  File \"/usr/lib/python3/dist-packages/pyrogram/connection/transport/tcp/tcp.py\", line 3, in send\n"u8);
        record.Append("OSError: Connection lost\n"u8);
        record.HasTraceback = true;
        var noise = classifier.Classify(record);
        Assert.NotEqual(loud, noise);
        Assert.Equal(Fresh("Traceback (most recent call last):\n  File \"/app/bot.py\", line 3, in main\nOSError: [Errno 28] No space left on device\n"u8.ToArray(), traceback: true).Rule, loud);
    }

    [Fact]
    public void Distinct_long_noise_lines_keep_the_memory_within_its_bound()
    {
        var classifier = new RecordClassifier(SampleClassification.Rules);
        var record = new RecordBuffer();
        var taken = 0;
        for (var i = 0; i < 5_000; i++)
        {
            // Pyrogram's connect failure takes any text after the error number: each line distinct, 700 to 1,100 bytes.
            var line = $"INFO:pyrogram.connection.connection:Unable to connect due to network issues: [Errno 101] {i} {new string('x', 700 + (i % 400))}\n";
            record.Clear();
            record.Append(Encoding.UTF8.GetBytes(line));
            if (classifier.Classify(record) >= 0) taken++;
            Assert.InRange(classifier.RetainedBytes, 0, RepeatedLines.MaxRetainedBytes);
        }
        Assert.Equal(5_000, taken);
        Assert.True(classifier.RetainedBytes > RepeatedLines.MaxRetainedBytes / 2, $"held {classifier.RetainedBytes} bytes: the lines of 1,024 bytes and less were not remembered");
    }

    [Fact]
    public void A_rule_chosen_after_a_pattern_timed_out_is_not_remembered()
    {
        // A user's loud rule whose pattern backtracks past the time-out on this line (about 2^24 steps before it gives up on
        // the first alternative): a built-in noise rule takes the line instead. Another time the user's pattern may finish,
        // so that answer must not stand for every later copy of the line.
        var pack = Path.Combine(Path.GetTempPath(), $"tgwatch-slow-{Guid.NewGuid():N}.json");
        File.WriteAllText(pack, """
            { "pack": "slow", "about": "a pattern that backtracks", "rules": [
              { "name": "keep-loud", "label": "kept loud", "kind": "Resource", "shape": "Line", "literal": "socket.send()",
                "head": "^(?:(?:\\w+\\s?)+!|.*socket\\.send\\(\\) raised exception\\.)$" } ] }
            """);
        try
        {
            var rules = RuleSet.Load([pack]);
            var classifier = new RecordClassifier(rules);
            var record = new RecordBuffer();
            record.Append(Encoding.UTF8.GetBytes(new string('x', 24) + " asyncio: socket.send() raised exception.\n"));
            var rule = classifier.Classify(record);
            Assert.True(rule >= 0 && rules.Rules[rule].Id != "slow.keep-loud", "the pattern did not time out: the test's line is not slow enough");
            Assert.Equal(0, classifier.RetainedBytes);

            // A line the user's pattern decides at once is remembered.
            record.Clear();
            record.Append("socket.send() raised exception.\n"u8);
            Assert.Equal("slow.keep-loud", rules.Rules[classifier.Classify(record)].Id);
            Assert.True(classifier.RetainedBytes > 0, "a rule chosen without a time-out was not remembered");
        }
        finally
        {
            File.Delete(pack);
        }
    }

    /// <summary>Every line of the samples, and each again with its numbers changed (timestamps, ports, counters).</summary>
    private static List<byte[]> DistinctLines()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var random = new Random(3);
        foreach (var file in Directory.GetFiles(SampleClassification.SamplePath(""), "*.txt"))
        {
            foreach (var line in File.ReadAllLines(file))
            {
                seen.Add(line);
                for (var i = 0; i < 3; i++) seen.Add(Number().Replace(line, _ => random.Next(1, 100_000).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
        // The noise lines first: the frequent picks are among them.
        return [.. seen.OrderBy(l => Fresh(Encoding.UTF8.GetBytes(l + "\n")).Rule < 0).ThenBy(l => l, StringComparer.Ordinal).Select(l => Encoding.UTF8.GetBytes(l + "\n"))];
    }

    private static (int Rule, string? Gist) Fresh(byte[] text, bool traceback = false)
    {
        var classifier = new RecordClassifier(SampleClassification.Rules);
        var record = new RecordBuffer();
        foreach (var line in Encoding.UTF8.GetString(text).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            record.Append(Encoding.UTF8.GetBytes(line + "\n"));
        record.HasTraceback = traceback;
        var rule = classifier.Classify(record);
        return (rule, rule < 0 ? null : classifier.Gist());
    }

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Number();
}
