namespace Tgwatch.Noise.Records;

/// <summary>Linux errno numbers by name, for rules that name an errno ("ECONNRESET") while logs print numbers.</summary>
internal static class Errno
{
    private static readonly Dictionary<string, int> ByName = new(StringComparer.Ordinal)
    {
        ["EPERM"] = 1, ["ENOENT"] = 2, ["EINTR"] = 4, ["EIO"] = 5, ["EBADF"] = 9, ["EAGAIN"] = 11,
        ["ENOMEM"] = 12, ["EACCES"] = 13, ["EEXIST"] = 17, ["ENOTDIR"] = 20, ["EISDIR"] = 21,
        ["EINVAL"] = 22, ["ENFILE"] = 23, ["EMFILE"] = 24, ["EFBIG"] = 27, ["ENOSPC"] = 28,
        ["EROFS"] = 30, ["EPIPE"] = 32, ["ENOBUFS"] = 105, ["EDQUOT"] = 122,
        ["EADDRINUSE"] = 98, ["EADDRNOTAVAIL"] = 99, ["ENETDOWN"] = 100, ["ENETUNREACH"] = 101,
        ["ENETRESET"] = 102, ["ECONNABORTED"] = 103, ["ECONNRESET"] = 104, ["ENOTCONN"] = 107,
        ["ESHUTDOWN"] = 108, ["ETIMEDOUT"] = 110, ["ECONNREFUSED"] = 111, ["EHOSTDOWN"] = 112,
        ["EHOSTUNREACH"] = 113,
    };

    /// <summary>The number of a Linux errno name, or of a decimal string; null when neither.</summary>
    public static int? Parse(string nameOrNumber) =>
        ByName.TryGetValue(nameOrNumber, out var n) ? n
        : int.TryParse(nameOrNumber, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out n) ? n
        : null;
}
