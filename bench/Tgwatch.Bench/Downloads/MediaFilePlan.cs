using Tgwatch.Bench.Scale;
using Tgwatch.BotApi;

namespace Tgwatch.Bench.Downloads;

/// <summary>
/// The files of the <c>media</c> benchmark: <see cref="Files"/> documents spread evenly from a quarter of the largest size to
/// the largest (8 files of 4 to 16 MB by default), each an odd number of bytes so that no size is a round number of blocks;
/// tgwatch downloads <see cref="Parallel"/> of them at once (<see cref="Media.MediaOptions.Parallel"/>'s default unless given).
/// </summary>
internal sealed record MediaFilePlan(int Files, int LargestMb, int Rounds, int Parallel = 0)
{
    /// <summary>The options as the usage line shows them.</summary>
    public const string Usage = "media [--files N] [--size-mb M] [--rounds N] [--parallel N]";

    /// <summary>
    /// Reads <c>--files</c> (8), <c>--size-mb</c> (16, at most 20: the Bot API serves files up to 20 MB), <c>--rounds</c> (3)
    /// and <c>--parallel</c> (tgwatch's default).
    /// </summary>
    /// <exception cref="ArgumentException">An option is not a positive integer, or the largest file would be over 20 MB.</exception>
    public static MediaFilePlan Parse(string[] args)
    {
        var plan = new MediaFilePlan(ScaleMath.Option(args, "--files", 8), ScaleMath.Option(args, "--size-mb", 16), ScaleMath.Option(args, "--rounds", 3),
            ScaleMath.Option(args, "--parallel", new Media.MediaOptions { Directory = "." }.Parallel));
        if ((long)plan.LargestMb << 20 > BotApiMediaSource.BotApiMaxFileSize)
            throw new ArgumentException("--size-mb is at most 20: the Bot API serves files up to 20 MB");
        return plan;
    }

    /// <summary>The size of each file in bytes, smallest first.</summary>
    public IReadOnlyList<long> Sizes()
    {
        var largest = ((long)LargestMb << 20) - 1;
        var smallest = Math.Max(1, largest / 4);
        return [.. Enumerable.Range(0, Files).Select(i => Files == 1 ? largest : smallest + (largest - smallest) * i / (Files - 1) | 1)];
    }

    /// <summary>All the bytes of one round.</summary>
    public long TotalBytes => Sizes().Sum();
}
