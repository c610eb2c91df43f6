using Tgwatch.Faults;
using Tgwatch.TestKit;

namespace Tgwatch.Core.Tests.Faults;

/// <summary>
/// Real file-system failures. On Unix .NET raises <c>new IOException(message, errno)</c> for a failed system
/// call, so <see cref="Exception.HResult"/> holds the raw errno; these tests pin the values observed on Linux.
/// </summary>
public sealed class FaultClassifierFileSystemTests : IDisposable
{
    private const int EPERM = 1;
    private const int EIO = 5;
    private const int EACCES = 13;
    private const int EEXIST = 17;
    private const int ENOSPC = 28;

    private readonly string _directory = Some.TempDirectory("tgwatch-faults");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [LinuxFact]
    public void Classify_FlushToDevFull_IsResourceWithErrnoEnospc()
    {
        var thrown = Assert.Throws<IOException>(() =>
        {
            using var stream = new FileStream("/dev/full", FileMode.Open, FileAccess.Write);
            stream.Write(new byte[16]);
            stream.Flush();
        });

        Assert.Equal(ENOSPC, thrown.HResult);
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(thrown).Kind);
    }

    [LinuxFact]
    public void Classify_ReadOfUnmappedProcessMemory_IsResourceWithErrnoEio()
    {
        var thrown = Assert.Throws<IOException>(() =>
        {
            using var handle = File.OpenHandle("/proc/self/mem");
            RandomAccess.Read(handle, new byte[16], fileOffset: 0);
        });

        Assert.Equal(EIO, thrown.HResult);
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(thrown).Kind);
    }

    [LinuxFact]
    public void Classify_DirectoryOpenedForWriting_IsResource()
    {
        var thrown = Assert.Throws<UnauthorizedAccessException>(
            () => new FileStream(_directory, FileMode.Open, FileAccess.Write).Dispose());

        Assert.Equal(EACCES, Assert.IsType<IOException>(thrown.InnerException).HResult);
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(thrown).Kind);
    }

    [LinuxFact]
    public void Classify_DeleteOfProcfsEntry_IsResource()
    {
        var thrown = Assert.Throws<UnauthorizedAccessException>(() => File.Delete("/proc/version"));

        // root passes the permission check and procfs refuses the unlink itself.
        var expectedErrno = Environment.IsPrivilegedProcess ? EPERM : EACCES;
        Assert.Equal(expectedErrno, Assert.IsType<IOException>(thrown.InnerException).HResult);
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(thrown).Kind);
    }

    [Fact]
    public void Classify_OpenOfMissingFile_IsResource()
    {
        var thrown = Assert.Throws<FileNotFoundException>(() => File.OpenRead(Path.Combine(_directory, "missing")));

        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(thrown).Kind);
    }

    [Fact]
    public void Classify_CreateInMissingDirectory_IsResource()
    {
        var thrown = Assert.Throws<DirectoryNotFoundException>(
            () => File.Create(Path.Combine(_directory, "missing", "file")));

        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(thrown).Kind);
    }

    [LinuxFact]
    public void Classify_CreateNewOverExistingFile_IsBugBecauseEexistIsNotAResourceFault()
    {
        var path = Path.Combine(_directory, "exists");
        File.WriteAllText(path, "x");

        var thrown = Assert.Throws<IOException>(() => new FileStream(path, FileMode.CreateNew).Dispose());

        Assert.Equal(EEXIST, thrown.HResult);
        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(thrown).Kind);
    }

    [Fact]
    public void Classify_PlainIOExceptionWithoutCause_IsBug()
    {
        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(new IOException()).Kind);
    }

    [Fact]
    public void Classify_PathTooLongException_IsResource()
    {
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(new PathTooLongException()).Kind);
    }

    [LinuxTheory]
    [InlineData(28, FaultKind.Resource)] // ENOSPC
    [InlineData(122, FaultKind.Resource)] // EDQUOT
    [InlineData(5, FaultKind.Resource)] // EIO
    [InlineData(30, FaultKind.Resource)] // EROFS
    [InlineData(24, FaultKind.Resource)] // EMFILE
    [InlineData(23, FaultKind.Resource)] // ENFILE
    [InlineData(13, FaultKind.Resource)] // EACCES
    [InlineData(1, FaultKind.Resource)] // EPERM
    [InlineData(12, FaultKind.Resource)] // ENOMEM
    [InlineData(104, FaultKind.Network)] // ECONNRESET
    [InlineData(32, FaultKind.Network)] // EPIPE
    [InlineData(111, FaultKind.Network)] // ECONNREFUSED
    [InlineData(103, FaultKind.Network)] // ECONNABORTED
    [InlineData(101, FaultKind.Network)] // ENETUNREACH
    [InlineData(100, FaultKind.Network)] // ENETDOWN
    [InlineData(113, FaultKind.Network)] // EHOSTUNREACH
    [InlineData(107, FaultKind.Network)] // ENOTCONN
    [InlineData(110, FaultKind.Timeout)] // ETIMEDOUT
    [InlineData(2, FaultKind.Bug)] // ENOENT arrives as FileNotFoundException, never as a bare errno
    [InlineData(21, FaultKind.Bug)] // EISDIR
    public void Classify_IOExceptionCarryingErrno_DecidesByErrno(int errno, FaultKind expected)
    {
        // The shape the runtime builds for a failed syscall: new IOException(message, errorInfo.RawErrno).
        var exception = new IOException("syscall failed", errno);

        Assert.Equal(expected, FaultClassifier.Default.Classify(exception).Kind);
    }

    [Fact]
    public void Classify_UnauthorizedAccessException_IsResource()
    {
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(new UnauthorizedAccessException()).Kind);
    }

    [Fact]
    public void Classify_OutOfMemoryAndItsSubtype_AreResource()
    {
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(new OutOfMemoryException()).Kind);
        Assert.Equal(FaultKind.Resource, FaultClassifier.Default.Classify(new InsufficientMemoryException()).Kind);
    }

    [Fact]
    public void Classify_InsufficientExecutionStackException_IsBug()
    {
        Assert.Equal(FaultKind.Bug, FaultClassifier.Default.Classify(new InsufficientExecutionStackException()).Kind);
    }
}
