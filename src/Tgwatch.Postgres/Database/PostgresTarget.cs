using Npgsql;
using Tgwatch.Secrets;

namespace Tgwatch.Postgres.Database;

/// <summary>
/// A database given by an Npgsql connection string (<c>Host=…;Port=…;Database=…;Username=…;Password=…</c>), read once: its
/// password is registered with <see cref="SecretRedactor.Default"/> as soon as it is read, and the database is named by
/// <see cref="Name"/> (host, port and database only) in every message, sink name and status line.
/// </summary>
public sealed class PostgresTarget
{
    private const string Shape = "Host=HOST;Port=5432;Database=DB;Username=USER;Password=…";

    private PostgresTarget(string connectionString, string name)
    {
        ConnectionString = connectionString;
        Name = name;
    }

    /// <summary>The connection string as given (holds the password: never show it).</summary>
    public string ConnectionString { get; }

    /// <summary><c>postgres://HOST:PORT/DATABASE</c>: what messages, sink names and <c>status</c> show of it.</summary>
    public string Name { get; }

    /// <summary>Reads a connection string; says in one line, without repeating it, why it is not one.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="role">What it is for, to start the message with: <c>state store</c>, <c>postgres sink</c>.</param>
    /// <exception cref="PostgresOpenException">It is empty, malformed, has a keyword Npgsql does not know, or no host.</exception>
    public static PostgresTarget Parse(string connectionString, string role)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        ArgumentException.ThrowIfNullOrEmpty(role);
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new PostgresOpenException("postgres:", $"{role} postgres: needs an Npgsql connection string: postgres:{Shape}");
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Npgsql's own text may quote a value (the password among them): only an unknown keyword's name is repeated.
            var why = UnknownKeyword(connectionString) is { } keyword ? $": no keyword '{keyword}'" : "";
            throw new PostgresOpenException("postgres:", $"{role} postgres: not a valid Npgsql connection string{why} (expected {Shape})");
        }
        SecretRedactor.Default.Register(builder.Password);
        if (string.IsNullOrWhiteSpace(builder.Host))
            throw new PostgresOpenException("postgres:", $"{role} postgres: the connection string names no server: give Host= ({Shape})");
        var database = builder.Database is { Length: > 0 } d ? d : builder.Username ?? "";
        var host = builder.Host.Contains(',', StringComparison.Ordinal) || builder.Host.StartsWith('/') ? builder.Host : $"{builder.Host}:{builder.Port}";
        return new PostgresTarget(connectionString, $"postgres://{host}/{database}");
    }

    /// <summary>The first <c>keyword=</c> of <paramref name="connectionString"/> that Npgsql does not know, if any.</summary>
    private static string? UnknownKeyword(string connectionString)
    {
        var known = new NpgsqlConnectionStringBuilder();
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (part.IndexOf('=') is var eq and > 0 && part[..eq].Trim() is { Length: > 0 } keyword && !known.ContainsKey(keyword)) return keyword;
        return null;
    }

    /// <summary>How long one of Tgwatch's sessions may sit idle in a transaction before the server ends it (unless the connection string's Options say).</summary>
    internal static readonly TimeSpan IdleInTransaction = TimeSpan.FromSeconds(2);

    /// <summary>A pool of connections to the database, named <c>tgwatch</c> on the server unless the string names it.</summary>
    internal NpgsqlDataSource CreateDataSource()
    {
        var builder = new NpgsqlDataSourceBuilder(ConnectionString);
        if (string.IsNullOrEmpty(builder.ConnectionStringBuilder.ApplicationName)) builder.ConnectionStringBuilder.ApplicationName = "tgwatch";
        // Tgwatch's transactions are short: one left idle (its process paused by SIGSTOP or a long GC pause, its machine cut
        // off) would hold its rows, and so another runner's writes and a standby's taking over, for as long as it sleeps.
        // The server ends such a transaction and its session after a moment; the paused process retries when it wakes.
        var options = builder.ConnectionStringBuilder.Options ?? "";
        if (!options.Contains("idle_in_transaction_session_timeout", StringComparison.Ordinal))
            builder.ConnectionStringBuilder.Options = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{options} -c idle_in_transaction_session_timeout={IdleInTransaction.TotalMilliseconds:0}").Trim();
        return builder.Build();
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
