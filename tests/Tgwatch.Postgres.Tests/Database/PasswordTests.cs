using Tgwatch.Postgres.Database;
using Tgwatch.Postgres.Sink;
using Tgwatch.Secrets;
using Tgwatch.TestKit;

namespace Tgwatch.Postgres.Tests.Database;

/// <summary>A connection string's password never shows: not in a name, not in a message of a failure, whatever failed.</summary>
public sealed class PasswordTests
{
    private const string Password = "Pa55-never-shown-7731";

    [Fact]
    public void TheName_HoldsHostPortAndDatabaseOnly_AndThePasswordIsRegisteredAsASecret()
    {
        var target = PostgresTarget.Parse($"Host=db.example;Port=6543;Database=watch;Username=tg;Password={Password}", "postgres sink");
        Assert.Equal("postgres://db.example:6543/watch", target.Name);
        Assert.Equal("postgres://db.example:6543/watch", new PostgresMessageSink(target).Name);
        Assert.Equal("x <redacted> y", SecretRedactor.Default.Redact($"x {Password} y"));
    }

    [Theory]
    [InlineData("Host=h;Passwrd=" + Password, "postgres sink postgres: not a valid Npgsql connection string: no keyword 'Passwrd' (expected Host=HOST;Port=5432;Database=DB;Username=USER;Password=…)")]
    [InlineData("Host=h;Port=abc;Password=" + Password, "postgres sink postgres: not a valid Npgsql connection string (expected Host=HOST;Port=5432;Database=DB;Username=USER;Password=…)")]
    [InlineData("Password=" + Password, "postgres sink postgres: the connection string names no server: give Host= (Host=HOST;Port=5432;Database=DB;Username=USER;Password=…)")]
    [InlineData(" ", "postgres sink postgres: needs an Npgsql connection string: postgres:Host=HOST;Port=5432;Database=DB;Username=USER;Password=…")]
    public void ABadConnectionString_IsOneLine_WithoutThePassword(string connectionString, string expected)
    {
        var e = Assert.Throws<PostgresOpenException>(() => PostgresTarget.Parse(connectionString, "postgres sink"));
        Assert.Equal(expected, e.Message);
    }

    [Fact]
    public async Task AWrongPassword_IsOneLine_SayingTheLoginWasRefused()
    {
        var cluster = await PostgresCluster.SharedAsync();
        var wrong = cluster.ConnectionString().Replace(cluster.Password, Password, StringComparison.Ordinal);
        var e = await Assert.ThrowsAsync<PostgresOpenException>(async () => await PostgresStateStore.OpenAsync(wrong, TimeProvider.System, default));
        Assert.Equal($"state store postgres://127.0.0.1:{cluster.Port}/postgres: the server refused the login (password authentication failed for user \"postgres\")", e.Message);
        Assert.DoesNotContain(Password, e.ToString());
    }

    [Fact]
    public async Task NoServerThere_IsOneLine_SayingTheConnectionWasRefused()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        var e = await Assert.ThrowsAsync<PostgresOpenException>(async () =>
            await PostgresStateStore.OpenAsync($"Host=127.0.0.1;Port={port};Database=x;Username=u;Password={Password};Timeout=5", TimeProvider.System, default));
        Assert.Equal($"state store postgres://127.0.0.1:{port}/x: cannot connect: connection refused (is the server running, on that host and port?)", e.Message);
        Assert.DoesNotContain(Password, e.ToString());
    }
}
