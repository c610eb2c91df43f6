using System.Text;
using CsCheck;

namespace Tgwatch.Noise.Tests;

/// <summary>
/// Random streams of genuine output and noise: every genuine record comes out unchanged and in order,
/// and every hidden line is counted in a summary (lines in = lines passed + Σ L).
/// </summary>
public sealed class NoiseAccountingProperties
{
    private sealed record Piece(string Text, bool Noise, int Lines, int DelayMs);

    private static readonly Gen<string> Word = Gen.OneOf(
        Gen.Const("socket"), Gen.Const("Connection lost"), Gen.Const("socket.send() raised exception."),
        Gen.Const("OSError:"), Gen.Const("[Errno 104]"), Gen.Const("Retrying"), Gen.Const("ok"),
        Gen.String[Gen.Char['a', 'z'], 1, 12]);

    private static readonly Gen<Piece> Genuine = Word.Array[1, 8].Select(words => Line("msg " + string.Join(' ', words), noise: false));

    private static readonly Gen<Piece> Noise = Gen.OneOf(
        Gen.Const(Line("socket.send() raised exception.", noise: true)),
        Gen.Int[0, 99999].Select(i => Line($"2026-11-25 10:00:{i % 60:D2},{i:D3} WARNING asyncio: socket.send() raised exception.", noise: true)),
        Gen.Const(new Piece("Traceback (most recent call last):\n  File \"/usr/lib/python3.11/asyncio/streams.py\", line 1, in read\n    x\nConnectionResetError: [Errno 104] Connection reset by peer\n", true, 4, 0)),
        Gen.Const(new Piece("System.Net.Http.HttpRequestException: Connection refused (127.0.0.1:1)\n ---> System.Net.Sockets.SocketException (111): Connection refused\n   at A.B()\n", true, 3, 0)));

    private static readonly Gen<Piece> LoudErrors = Gen.OneOf(
        Gen.Const(new Piece("Traceback (most recent call last):\n  File \"bot.py\", line 2, in save\nOSError: [Errno 28] No space left on device\n", false, 3, 0)),
        Gen.Const(new Piece("System.InvalidOperationException: broken\n ---> System.Net.Sockets.SocketException (111): Connection refused\n   at A.B()\n", false, 3, 0)),
        Gen.Const(new Piece("Traceback (most recent call last):\n  File \"bot.py\", line 2, in handle\nZeroDivisionError: division by zero\n", false, 3, 0)));

    private static readonly Gen<Piece> AnyPiece =
        Gen.Frequency((5, Genuine), (8, Noise), (2, LoudErrors))
           .SelectMany(p => Gen.Frequency((6, Gen.Const(0)), (3, Gen.Int[1, 3000]), (1, Gen.Int[5000, 70000])), (p, d) => p with { DelayMs = d });

    private static Piece Line(string text, bool noise) => new(text + "\n", noise, 1, 0);

    [Fact]
    public void GenuineRecordsPassInOrder_AndHiddenLinesAreAllCounted()
    {
        AnyPiece.Array[0, 300].Sample(pieces =>
        {
            var h = new FilterHarness();
            foreach (var p in pieces)
            {
                if (p.DelayMs > 0) h.Advance(TimeSpan.FromMilliseconds(p.DelayMs));
                h.Write(p.Text);
            }
            h.End();

            var output = string.Concat(h.Output.Split('\n').Select(l => l + "\n").Where(l => !l.StartsWith("[tgwatch] ", StringComparison.Ordinal)));
            output = output[..^1]; // the split adds one line end too many
            var at = 0;
            long hidden = 0;
            foreach (var p in pieces)
            {
                if (string.CompareOrdinal(output, at, p.Text, 0, p.Text.Length) == 0) at += p.Text.Length;
                else if (p.Noise) hidden += p.Lines;
                else throw new Xunit.Sdk.XunitException($"genuine record missing or changed: {p.Text}\nOutput from there:\n{output[at..Math.Min(output.Length, at + 400)]}");
            }
            Assert.Equal(output.Length, at);
            Assert.Equal(hidden, h.SummarizedLines);
            Assert.Equal(h.Filter.LinesIn, h.Filter.LinesPassed + h.SummarizedLines);
            Assert.Equal(0, h.Gate.Pending);
        }, iter: 300);
    }

    [Fact]
    public void Output_DoesNotDependOnHowTheInputIsCutIntoReads()
    {
        var gen = AnyPiece.Array[0, 80].SelectMany(p => Gen.Int[1, 200].Array[1, 50], (pieces, cuts) => (pieces, cuts));
        gen.Sample(t =>
        {
            var input = Encoding.UTF8.GetBytes(string.Concat(t.pieces.Select(p => p.Text)));
            var whole = new FilterHarness();
            whole.Filter.Write(input);
            whole.End();
            var cut = new FilterHarness();
            var at = 0;
            for (var i = 0; at < input.Length; i++)
            {
                var n = Math.Min(t.cuts[i % t.cuts.Length], input.Length - at);
                cut.Filter.Write(input.AsSpan(at, n));
                at += n;
            }
            cut.End();
            Assert.Equal(whole.Output, cut.Output);
        }, iter: 200);
    }
}
