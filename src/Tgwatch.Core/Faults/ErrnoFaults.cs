namespace Tgwatch.Faults;

/// <summary>
/// Maps the operating-system error number that .NET stores in <see cref="Exception.HResult"/> of an
/// <see cref="IOException"/> raised by a failed system call on Unix (<c>new IOException(message, errno)</c>).
/// </summary>
/// <remarks>
/// Numbers differ between kernels, so there is one table for Linux and one for the BSD family (macOS, FreeBSD).
/// On Windows the HResult is a real HRESULT, not an errno, and nothing here matches.
/// </remarks>
internal static class ErrnoFaults
{
    /// <summary>The kind for <paramref name="errno"/>, or <see langword="null"/> when it is none we know.</summary>
    public static FaultKind? Classify(int errno)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsAndroid())
        {
            return Linux(errno);
        }

        if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return Bsd(errno);
        }

        return null;
    }

    private static FaultKind? Linux(int errno) => errno switch
    {
        Common.EPERM or Common.EIO or Common.ENOMEM or Common.EACCES or Common.ENFILE or Common.EMFILE
            or Common.ENOSPC or Common.EROFS or 122 /* EDQUOT */ => FaultKind.Resource,
        Common.EPIPE
            or 100 /* ENETDOWN */
            or 101 /* ENETUNREACH */
            or 103 /* ECONNABORTED */
            or 104 /* ECONNRESET */
            or 107 /* ENOTCONN */
            or 111 /* ECONNREFUSED */
            or 113 /* EHOSTUNREACH */ => FaultKind.Network,
        110 /* ETIMEDOUT */ => FaultKind.Timeout,
        _ => null,
    };

    private static FaultKind? Bsd(int errno) => errno switch
    {
        Common.EPERM or Common.EIO or Common.ENOMEM or Common.EACCES or Common.ENFILE or Common.EMFILE
            or Common.ENOSPC or Common.EROFS or 69 /* EDQUOT */ => FaultKind.Resource,
        Common.EPIPE
            or 50 /* ENETDOWN */
            or 51 /* ENETUNREACH */
            or 53 /* ECONNABORTED */
            or 54 /* ECONNRESET */
            or 57 /* ENOTCONN */
            or 61 /* ECONNREFUSED */
            or 65 /* EHOSTUNREACH */ => FaultKind.Network,
        60 /* ETIMEDOUT */ => FaultKind.Timeout,
        _ => null,
    };

    /// <summary>Error numbers that Linux and the BSDs share.</summary>
    private static class Common
    {
        public const int EPERM = 1;
        public const int EIO = 5;
        public const int ENOMEM = 12;
        public const int EACCES = 13;
        public const int ENFILE = 23;
        public const int EMFILE = 24;
        public const int ENOSPC = 28;
        public const int EROFS = 30;
        public const int EPIPE = 32;
    }
}
