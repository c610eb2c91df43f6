using Tgwatch.Bench.Downloads;

namespace Tgwatch.Bench.Tests.Downloads;

public sealed class MediaFilePlanTests
{
    [Fact]
    public void ByDefault_EightFilesFromAQuarterOf16MBTo16MB_EachAnOddSize()
    {
        var plan = MediaFilePlan.Parse([]);
        var sizes = plan.Sizes();
        Assert.Equal((8, 16, 3), (plan.Files, plan.LargestMb, plan.Rounds));
        Assert.Equal(8, sizes.Count);
        Assert.Equal((4L << 20) - 1, sizes[0]);
        Assert.Equal((16L << 20) - 1, sizes[^1]);
        Assert.Equal(sizes.Order(), sizes);
        Assert.All(sizes, s => Assert.Equal(1, s % 2));
        Assert.Equal(sizes.Sum(), plan.TotalBytes);
    }

    [Fact]
    public void FilesAndSize_AreTheOptions_AndOneFileIsTheLargest()
    {
        var sizes = MediaFilePlan.Parse(["--files", "1", "--size-mb", "20"]).Sizes();
        Assert.Equal([(20L << 20) - 1], sizes);
        Assert.Equal(3, MediaFilePlan.Parse(["--files", "3", "--size-mb", "8"]).Sizes().Count);
    }

    [Fact]
    public void Parallel_IsTgwatchsDefaultUnlessGiven()
    {
        Assert.Equal(new Tgwatch.Media.MediaOptions { Directory = "." }.Parallel, MediaFilePlan.Parse([]).Parallel);
        Assert.Equal(2, MediaFilePlan.Parse(["--parallel", "2"]).Parallel);
        Assert.Equal("--parallel needs a positive integer", Assert.Throws<ArgumentException>(() => MediaFilePlan.Parse(["--parallel", "0"])).Message);
    }

    [Fact]
    public void ALargestFileOver20MB_IsRefused_AsTheBotApiWould() =>
        Assert.Equal("--size-mb is at most 20: the Bot API serves files up to 20 MB",
            Assert.Throws<ArgumentException>(() => MediaFilePlan.Parse(["--size-mb", "21"])).Message);

    [Fact]
    public void Curl_FetchesEveryUrlIntoItsPath_InOneProcess_FailingOnAnHttpError()
    {
        var args = Curl.Arguments([(new Uri("http://127.0.0.1:1/file/botT/documents/file_0.bin"), "/tmp/b/1.bin"), (new Uri("http://127.0.0.1:1/file/botT/documents/file_1.bin"), "/tmp/b/2.bin")]);
        Assert.Equal(["--silent", "--show-error", "--fail", "--create-dirs",
            "--output", "/tmp/b/1.bin", "http://127.0.0.1:1/file/botT/documents/file_0.bin",
            "--output", "/tmp/b/2.bin", "http://127.0.0.1:1/file/botT/documents/file_1.bin"], args);
    }
}
