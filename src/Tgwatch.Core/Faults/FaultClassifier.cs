using System.Collections.ObjectModel;
using System.Net.Http;
using System.Net.Sockets;

namespace Tgwatch.Faults;

/// <summary>
/// Decides what kind of fault an exception stands for, by exception type, error codes and structure,
/// never by message text. The one place that makes this decision.
/// </summary>
/// <remarks>
/// <para>
/// The classifier walks <see cref="Exception.InnerException"/> chains and every member of an
/// <see cref="AggregateException"/>. An exception of a type it knows decides by itself; a wrapper of a type
/// it does not know is decided by its inner exception; an exception of unknown type with nothing known
/// inside is a <see cref="FaultKind.Bug"/>. Of several members of an <see cref="AggregateException"/>
/// the most severe wins: Bug, Resource, Auth, RateLimited, Timeout, Network; Cancelled only when all are.
/// </para>
/// <para>
/// It looks at most <see cref="MaxDepth"/> levels deep and at most <see cref="MaxExceptions"/> exceptions in
/// all, so a cyclic or absurdly large graph ends; a chain cut off by the depth limit counts as Bug.
/// Classifying does not allocate.
/// </para>
/// </remarks>
public sealed class FaultClassifier
{
    /// <summary>How many levels of inner exceptions are followed.</summary>
    public const int MaxDepth = 16;

    /// <summary>How many exceptions are examined at most for one call, across all branches.</summary>
    public const int MaxExceptions = 256;

    private readonly IFaultRule[] _rules;

    // Rules of the libraries loaded in this process (see Register), consulted by every classifier after its own.
    private static IFaultRule[] s_registered = [];
    private static readonly Lock s_registering = new();

    /// <summary>Creates a classifier with the registered and the built-in rules.</summary>
    public FaultClassifier()
    {
        _rules = [];
    }

    /// <summary>Creates a classifier that consults <paramref name="rules"/>, in order, before the registered and the built-in rules.</summary>
    /// <param name="rules">Rules for exception types Core does not know (a connector's library, for example).</param>
    public FaultClassifier(IEnumerable<IFaultRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = [.. rules];
        foreach (var rule in _rules)
        {
            ArgumentNullException.ThrowIfNull(rule, nameof(rules));
        }
    }

    /// <summary>A classifier with the registered (see <see cref="Register"/>) and the built-in rules.</summary>
    public static FaultClassifier Default { get; } = new();

    /// <summary>
    /// Teaches every classifier, <see cref="Default"/> included, a rule for the exceptions of a library Core does not
    /// reference. A library registers its rule once, when it is loaded (its module initializer), so that whoever
    /// classifies its exceptions decides right without knowing it. Registering a rule of a type already registered
    /// does nothing.
    /// </summary>
    /// <param name="rule">The rule; consulted after a classifier's own rules and before the built-in ones.</param>
    public static void Register(IFaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (s_registering)
        {
            var registered = Volatile.Read(ref s_registered);
            foreach (var known in registered)
            {
                if (known.GetType() == rule.GetType()) return;
            }
            Volatile.Write(ref s_registered, [.. registered, rule]);
        }
    }

    /// <summary>Classifies <paramref name="exception"/>.</summary>
    /// <param name="exception">The exception to classify.</param>
    /// <param name="callerToken">
    /// The token of the caller that ran the failed operation. An <see cref="OperationCanceledException"/> is
    /// <see cref="FaultKind.Cancelled"/> only when this token has been cancelled; otherwise somebody else's
    /// deadline fired (an <see cref="HttpClient.Timeout"/>, a linked timeout token) and it is
    /// <see cref="FaultKind.Timeout"/>. Without a token every cancellation therefore counts as a timeout.
    /// </param>
    /// <returns>The verdict; <see cref="Fault.RetryAfter"/> is set when the server gave a delay.</returns>
    /// <remarks>
    /// <list type="bullet">
    /// <item><see cref="SocketException"/>: by <see cref="SocketException.SocketErrorCode"/> (transport failures Network,
    /// TimedOut Timeout, local limits and permission Resource, misuse and unknown codes Bug).</item>
    /// <item><see cref="IOException"/>: by its inner exception, else by the errno .NET stores in
    /// <see cref="Exception.HResult"/> on Unix (ENOSPC, EDQUOT, EIO, EROFS, EMFILE, ENFILE, EACCES, EPERM, ENOMEM Resource;
    /// ECONNRESET, EPIPE, ECONNREFUSED, ECONNABORTED, ENETUNREACH, ENETDOWN, EHOSTUNREACH, ENOTCONN Network;
    /// ETIMEDOUT Timeout), else Resource for the file-system subtypes (file, directory or drive not found, path too long),
    /// else Bug. <see cref="HttpIOException"/> and <see cref="EndOfStreamException"/> (a stream that ended early,
    /// typically a dropped connection) are Network unless their inner exception says otherwise.</item>
    /// <item><see cref="UnauthorizedAccessException"/> and <see cref="OutOfMemoryException"/>: Resource.
    /// <see cref="InsufficientExecutionStackException"/>: Bug (runaway recursion).</item>
    /// <item><see cref="HttpRequestException"/>: by status code when it has one (429 RateLimited; 401, 403, 407 Auth;
    /// 408, 504 Timeout; 502, 503 Network; others Bug), else by its inner exception, else by
    /// <see cref="HttpRequestException.HttpRequestError"/>, else Bug.</item>
    /// <item><see cref="TimeoutException"/>: Timeout. <see cref="OperationCanceledException"/>: see <paramref name="callerToken"/>.</item>
    /// <item><see cref="TelegramApiException"/>: 401 and session-gone tokens Auth; 420, 429 and <c>FLOOD_WAIT_n</c>-style
    /// tokens RateLimited with the delay; -503 Timeout; 5xx Network; 400, 403, 404, 409 and the rest Bug.</item>
    /// </list>
    /// </remarks>
    public Fault Classify(Exception exception, CancellationToken callerToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var budget = MaxExceptions;
        return Visit(exception, callerToken, depth: 0, ref budget) ?? new Fault(FaultKind.Bug);
    }

    /// <summary>The verdict on one exception, or <see langword="null"/> when nothing known was found.</summary>
    private Fault? Visit(Exception exception, CancellationToken callerToken, int depth, ref int budget)
    {
        if (depth >= MaxDepth || budget <= 0)
        {
            return null;
        }

        budget--;

        if (_rules.Length != 0 && ByRules(_rules, exception) is { } ruled)
        {
            return ruled;
        }

        var registered = Volatile.Read(ref s_registered);
        if (registered.Length != 0 && ByRules(registered, exception) is { } known)
        {
            return known;
        }

        // Exact types first, in this small method: the usual noise then costs a compare, not the big
        // switch's type tests up the hierarchy and its frame.
        var type = exception.GetType();
        if (type == typeof(HttpRequestException)) return FromHttp((HttpRequestException)exception, callerToken, depth, ref budget);
        if (type == typeof(SocketException)) return FromSocket((SocketException)exception);
        return ByType(exception, callerToken, depth, ref budget);
    }

    private static Fault? ByRules(IFaultRule[] rules, Exception exception)
    {
        for (var i = 0; i < rules.Length; i++)
        {
            var verdict = rules[i].TryClassify(exception);
            if (verdict.HasValue)
            {
                return verdict;
            }
        }

        return null;
    }

    private Fault? ByType(Exception exception, CancellationToken callerToken, int depth, ref int budget)
    {
        switch (exception)
        {
            // The usual noise first: each case is a type test, and a miss costs a walk up the hierarchy.
            case SocketException socket:
                return FromSocket(socket);

            case HttpRequestException http:
                return FromHttp(http, callerToken, depth, ref budget);

            case HttpIOException httpIo:
                return VisitInner(httpIo, callerToken, depth, ref budget)
                    ?? From(HttpFaults.FromError(httpIo.HttpRequestError))
                    ?? new Fault(FaultKind.Network);

            case EndOfStreamException:
                return VisitInner(exception, callerToken, depth, ref budget) ?? new Fault(FaultKind.Network);

            case IOException io:
                return VisitInner(io, callerToken, depth, ref budget)
                    ?? From(ErrnoFaults.Classify(io.HResult))
                    ?? (IsFileSystemLookup(io) ? new Fault(FaultKind.Resource) : null);

            case Leases.LeaseLostException:
                // The runner was told to stop being active (another took its lease over): a stop, never to retry.
                return new Fault(FaultKind.Cancelled);

            case OperationCanceledException:
                return new Fault(callerToken.IsCancellationRequested ? FaultKind.Cancelled : FaultKind.Timeout);

            case TimeoutException:
                return new Fault(FaultKind.Timeout);

            case AggregateException aggregate:
                return VisitAll(aggregate.InnerExceptions, callerToken, depth + 1, ref budget);

            case TelegramApiException telegram:
                return TelegramFaults.Classify(telegram);

            case UnauthorizedAccessException:
            case OutOfMemoryException:
                return new Fault(FaultKind.Resource);

            case InsufficientExecutionStackException:
                return new Fault(FaultKind.Bug);

            // General-purpose exceptions are thrown by code that decided something is wrong: a bug,
            // whatever caused it. (Library-specific types we do not know defer to what they wrap.)
            case InvalidOperationException: // ObjectDisposedException included
            case ArgumentException:
            case NullReferenceException:
            case NotSupportedException:
            case NotImplementedException:
            case FormatException:
            case InvalidCastException:
            case IndexOutOfRangeException:
            case KeyNotFoundException:
            case ArithmeticException:
                return new Fault(FaultKind.Bug);

            default:
                return VisitInner(exception, callerToken, depth, ref budget);
        }
    }

    private static Fault FromSocket(SocketException socket) => new(SocketErrorFaults.Classify(socket.SocketErrorCode));

    private Fault? FromHttp(HttpRequestException http, CancellationToken callerToken, int depth, ref int budget) =>
        http.StatusCode is { } status
            ? new Fault(HttpFaults.FromStatus(status))
            : VisitInner(http, callerToken, depth, ref budget) ?? From(HttpFaults.FromError(http.HttpRequestError));

    private Fault? VisitInner(Exception exception, CancellationToken callerToken, int depth, ref int budget) =>
        exception.InnerException is { } inner ? Visit(inner, callerToken, depth + 1, ref budget) : null;

    private Fault? VisitAll(ReadOnlyCollection<Exception> exceptions, CancellationToken callerToken, int depth, ref int budget)
    {
        Fault? worst = null;
        for (var i = 0; i < exceptions.Count && budget > 0; i++)
        {
            var verdict = Visit(exceptions[i], callerToken, depth, ref budget) ?? new Fault(FaultKind.Bug);
            worst = worst is { } current ? FaultSeverity.MoreSevere(current, verdict) : verdict;
        }

        return worst;
    }

    private static bool IsFileSystemLookup(IOException exception) =>
        exception is FileNotFoundException or DirectoryNotFoundException or PathTooLongException or DriveNotFoundException;

    private static Fault? From(FaultKind? kind) => kind is { } known ? new Fault(known) : null;
}
