using System.Text;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Noise.Logging;

namespace Tgwatch.Noise.Tests.Logging;

public sealed class NoiseGatedTextWriterTests
{
    [Fact]
    public void StrayWrites_AreGatedLikeAStream_AndGenuineTextPassesUnchanged()
    {
        var time = new FakeTimeProvider();
        var output = new MemoryStream();
        var writer = new NoiseGatedTextWriter(output, NoiseRules.Load(), new NoiseOptions(), time);
        writer.WriteLine("ünïcode genuine line");
        for (var i = 0; i < 50; i++) writer.Write("socket.send() raised exception.\n");
        writer.Write("partial ");
        writer.WriteLine("line");
        writer.Dispose();
        var text = Encoding.UTF8.GetString(output.ToArray());
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("ünïcode genuine line", lines[0]);
        Assert.Equal("[tgwatch] suppressed 1× Network: socket.send() raised exception. (asyncio socket.send()) (1 lines)", lines[1]);
        Assert.Equal("partial line", lines[2]);
        Assert.StartsWith("[tgwatch] suppressed 49× Network", lines[3]);
        Assert.EndsWith("(49 lines)", lines[3]);
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public void HeldLine_IsWrittenWhenTheTimerFires()
    {
        var time = new FakeTimeProvider();
        var output = new MemoryStream();
        using var writer = new NoiseGatedTextWriter(output, NoiseRules.Load(), new NoiseOptions(), time);
        writer.WriteLine("hello");
        Assert.Empty(output.ToArray());
        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal("hello\n", Encoding.UTF8.GetString(output.ToArray()));
    }
}
