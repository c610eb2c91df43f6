using System.Net.Sockets;
using Npgsql;
using Tgwatch.Formatting;
using Tgwatch.Secrets;

namespace Tgwatch.Postgres.Database;

/// <summary>What a failure to reach or use a database means, in a few words for the user (never Npgsql's internals).</summary>
internal static class PostgresFailure
{
    /// <summary>The reason, without the database's name (the caller's line names it already).</summary>
    public static string Describe(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case PostgresException p:
                    return p.SqlState switch
                    {
                        "28P01" or "28000" => $"the server refused the login ({p.MessageText})",
                        "3D000" => $"no such database ({p.MessageText})",
                        "42501" => $"permission denied ({p.MessageText})",
                        "53300" => "the server has no connection left (too many clients)",
                        "57P03" => "the server is starting up or shutting down; try again",
                        _ => SecretRedactor.Default.Redact(TextLines.FirstLine($"{p.SqlState}: {p.MessageText}")),
                    };
                case SocketException s:
                    return s.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "cannot connect: connection refused (is the server running, on that host and port?)",
                        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "cannot connect: no such host",
                        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "cannot connect: the network or host is unreachable",
                        SocketError.TimedOut => "cannot connect: no answer (timed out)",
                        SocketError.AddressNotAvailable => "cannot connect: no such address here",
                        _ => $"cannot connect: {char.ToLowerInvariant(s.Message[0])}{s.Message[1..]}",
                    };
                case TimeoutException:
                    return "no answer from the server in time (timed out)";
            }
        }
        return SecretRedactor.Default.Redact(TextLines.FirstLine(e.Message));
    }

    /// <summary>Whether <paramref name="e"/> says that a database cannot be reached or used (rather than a bug of ours).</summary>
    public static bool IsDatabaseProblem(Exception e) => e is NpgsqlException or TimeoutException or SocketException || (e.InnerException is { } inner && IsDatabaseProblem(inner));
}
