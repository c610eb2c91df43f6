namespace Tgwatch.Cli.Run;

/// <summary>
/// A uniform sample of at most <c>capacity</c> of the values added since it was last taken: each value has the same chance
/// to be in it, however many came. Once full it draws how many values to pass over before the next one it keeps (Li's
/// Algorithm L), so a value passed over costs a count and a comparison, not a random draw: it sits on the pipeline's way,
/// once per message written. Not thread-safe.
/// </summary>
internal sealed class Reservoir(int capacity, Random random)
{
    // A skip so long it never ends in practice, for the edges where the draw says "never" (or cannot be computed).
    private const double Never = 1e15;

    private readonly double[] _values = new double[capacity];
    private long _seen;
    private long _next;
    private double _w;

    public void Add(double value)
    {
        var n = _seen++;
        if (n < _values.Length)
        {
            _values[n] = value;
            if (n < _values.Length - 1) return;
            _w = Math.Exp(Math.Log(Uniform()) / _values.Length);
            Skip(n);
            return;
        }
        if (n != _next) return;
        _values[random.Next(_values.Length)] = value;
        _w *= Math.Exp(Math.Log(Uniform()) / _values.Length);
        Skip(n);
    }

    /// <summary>The sample (in no particular order once values were replaced); empty from then on.</summary>
    public double[] Take()
    {
        var taken = _values.AsSpan(0, (int)Math.Min(_seen, _values.Length)).ToArray();
        _seen = 0;
        return taken;
    }

    // The next value kept is n + 1 + a geometric number of values passed over.
    private void Skip(long n)
    {
        var skip = Math.Floor(Math.Log(Uniform()) / Math.Log(1 - _w));
        _next = n + 1 + (long)(skip >= 0 ? Math.Min(skip, Never) : skip < 0 ? Never : 0);
    }

    // In (0, 1]: its logarithm is finite.
    private double Uniform() => 1 - random.NextDouble();
}
