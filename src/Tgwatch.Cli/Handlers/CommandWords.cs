using System.Text;

namespace Tgwatch.Cli.Handlers;

/// <summary>
/// A command line split into its words as a POSIX shell splits it, with nothing else a shell does (no variables, globs or
/// pipes): blanks separate words; '…' keeps everything as it is; "…" keeps everything but \" \\ \$ \` (a backslash there
/// quotes those only); a backslash outside quotes quotes the next character.
/// </summary>
internal static class CommandWords
{
    /// <summary>The words of <paramref name="command"/>; null, with <paramref name="problem"/>, when a quote is not closed.</summary>
    public static List<string>? Split(string command, out string? problem)
    {
        problem = null;
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inWord) words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                    break;
                case '\'':
                    var close = command.IndexOf('\'', i + 1);
                    if (close < 0) return Unclosed("'", out problem);
                    word.Append(command, i + 1, close - i - 1);
                    i = close;
                    inWord = true;
                    break;
                case '"':
                    var closed = false;
                    for (i++; i < command.Length; i++)
                    {
                        if (command[i] == '"')
                        {
                            closed = true;
                            break;
                        }
                        if (command[i] == '\\' && i + 1 < command.Length && command[i + 1] is '"' or '\\' or '$' or '`') i++;
                        word.Append(command[i]);
                    }
                    if (!closed) return Unclosed("\"", out problem);
                    inWord = true;
                    break;
                case '\\' when i + 1 < command.Length:
                    word.Append(command[++i]);
                    inWord = true;
                    break;
                default:
                    word.Append(c);
                    inWord = true;
                    break;
            }
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }

    private static List<string>? Unclosed(string quote, out string? problem)
    {
        problem = $"a {quote} is not closed";
        return null;
    }

    /// <summary>The words as one command line that <see cref="Split"/> reads back into them: a word with a blank or a quote in single quotes.</summary>
    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(w =>
        w.Length > 0 && !w.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '\\') ? w : $"'{w.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
}
