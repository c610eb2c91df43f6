using System.Text;

namespace Tgwatch.Noise.Tests;

/// <summary>Tests that measure the process's memory: they run alone, after the others, so no other test's allocations count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasured
{
    /// <summary>The collection's name.</summary>
    public const string Name = "memory measured alone";
}

/// <summary>The text filter's memory over a long input.</summary>
[Collection(MemoryMeasured.Name)]
public sealed class TextNoiseFilterMemoryTests
{
    private const string SocketSend = "socket.send() raised exception.";

    [Fact]
    public void MillionDistinctNoiseLines_KeepMemoryFlat_AndAreAllCounted()
    {
        var h = new FilterHarness();
        var block = new StringBuilder();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < 1_000_000; i++)
        {
            block.Append("2026-11-25 00:00:00,").Append(i).Append(" WARNING asyncio: ").Append(SocketSend).Append('\n');
            if (block.Length > 60_000)
            {
                h.Write(block.ToString());
                block.Clear();
            }
        }
        h.Write(block.ToString()).End();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Equal(1_000_000, h.Filter.LinesIn);
        Assert.Equal(1_000_000, h.SummarizedLines);
        Assert.True(after - before < 8 << 20, $"memory grew by {after - before} bytes");
        Assert.True(h.Filter.RetainedBytes <= (3 * h.Options.MaxRecordBytes) + Rules.RepeatedLines.MaxRetainedBytes);
    }
}
