using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Postgres.Tests.Cli;

/// <summary>
/// <c>tgwatch run --state postgres:… --sink postgres:…</c> as a real process against the Bot API sandbox: killed with
/// SIGKILL while messages arrive and started again, every message is in <c>tgwatch_messages</c> exactly once; the
/// connection string's password shows nowhere; <c>tgwatch status</c> reads the same database.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PostgresRunTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Messages = 600;
    private const int Kills = 3;
    private readonly string _dir = Some.TempDirectory("tgwatch-pg-run");
    private BotApiSandbox _sandbox = null!;
    private PostgresCluster _cluster = null!;
    private string _database = "";

    public async Task InitializeAsync()
    {
        _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);
        _cluster = await PostgresCluster.SharedAsync();
        _database = await _cluster.CreateDatabaseAsync("run");
    }

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { /* best effort */ }
    }

    private async Task<(long Rows, long Keys)> CountAsync()
    {
        await using var connection = new NpgsqlConnection(_database + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*), count(DISTINCT key) FROM tgwatch_messages", connection);
        await using var r = await command.ExecuteReaderAsync();
        await r.ReadAsync();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    private Task<long> RowsAsync() => PostgresCluster.MessageRowsAsync(_database);

    [Fact]
    public async Task KilledWithSigkillAndStartedAgain_EveryMessageIsInPostgresExactlyOnce_AndThePasswordShowsNowhere()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "tgwatch.json"), """{"BotApi": {"PollTimeoutSeconds": 2, "HttpMarginSeconds": 2, "MaxBackoff": "00:00:02"}}""");
        string[] args = ["run", "--config", Path.Combine(_dir, "tgwatch.json"), "--data-dir", _dir, "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(),
            "--state", $"postgres:{_database}", "--sink", $"postgres:{_database}"];
        var stderr = new List<string>();
        var injected = 0;
        var random = new Random(14);
        for (var kill = 1; kill <= Kills; kill++)
        {
            using var process = Tgwatch.Start(args);
            process.StandardInput.Close();
            var log = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var batch = Messages / (Kills + 1);
            await _sandbox.Admin.SendBulkAsync(new InjectBulk { ChatIds = [-1001, -1002, -1003], Count = batch });
            injected += batch;
            // Killed while it works: after it wrote some of this batch, at a random moment.
            var before = injected - batch;
            await Eventually.TrueAsync(async () => await RowsAsync() > before, "rows of this run", Tgwatch.Patience);
            await Task.Delay(random.Next(0, 150));
            process.Kill(); // SIGKILL
            await process.WaitForExitAsync();
            stderr.Add(await log + await stdout);
            output.WriteLine($"kill -9 #{kill}: {await RowsAsync()} rows, {injected} injected");
        }
        await _sandbox.Admin.SendBulkAsync(new InjectBulk { ChatIds = [-1001, -1002, -1003], Count = Messages - injected });
        using (var last = Tgwatch.Start(args))
        {
            last.StandardInput.Close();
            var log = last.StandardError.ReadToEndAsync();
            var stdout = last.StandardOutput.ReadToEndAsync();
            await Eventually.TrueAsync(async () => await RowsAsync() >= Messages, $"{Messages} rows", TimeSpan.FromSeconds(90));
            await Task.Delay(500); // a duplicate written late would show
            Process.Start("kill", ["-TERM", last.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            await last.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
            stderr.Add(await log + await stdout);
            Assert.Equal(0, last.ExitCode);
        }

        var (rows, keys) = await CountAsync();
        Assert.Equal(Messages, (await _sandbox.Admin.ListInjectedAsync()).Count);
        Assert.Equal((long)Messages, rows);
        Assert.Equal(rows, keys);
        Assert.Equal((long)Messages, await PostgresCluster.QueryAsync(_database, "SELECT count(*) FROM tgwatch_processed"));
        var all = string.Concat(stderr);
        Assert.DoesNotContain(_cluster.Password, all);

        var status = await Tgwatch.RunAsync("status", "--state", $"postgres:{_database}");
        Assert.Equal(0, status.ExitCode);
        Assert.StartsWith($"state store   postgres://127.0.0.1:{_cluster.Port}/run_", status.Output);
        Assert.Contains($"processed     {Messages} messages", status.Output);
        Assert.Contains("connection    botapi/", status.Output);
        Assert.DoesNotContain(_cluster.Password, status.Output + status.Stderr);
    }

    [Fact]
    public async Task AServerThatIsNotThere_IsOneLineAtStart_ExitCode2_WithoutThePassword()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        const string Password = "Pa55-cli-never-shown";
        var nowhere = $"postgres:Host=127.0.0.1;Port={port};Database=x;Username=u;Password={Password};Timeout=5";

        var run = await Tgwatch.RunAsync("run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(), "--data-dir", _dir, "--state", nowhere);
        var status = await Tgwatch.RunAsync("status", "--state", nowhere);
        var sink = await Tgwatch.RunAsync("run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(), "--data-dir", _dir, "--sink", nowhere);

        Assert.Equal((2, 2, 2), (run.ExitCode, status.ExitCode, sink.ExitCode));
        var refused = $"postgres://127.0.0.1:{port}/x: cannot connect: connection refused (is the server running, on that host and port?)";
        Assert.EndsWith($"state store {refused}", Assert.Single(Lines(run.Stderr)));
        Assert.Equal($"tgwatch status: state store {refused}", Assert.Single(Lines(status.Stderr)));
        Assert.EndsWith($"--sink postgres://127.0.0.1:{port}/x cannot be opened: cannot connect: connection refused (is the server running, on that host and port?)", Assert.Single(Lines(sink.Stderr)));
        foreach (var r in new[] { run, status, sink }) Assert.DoesNotContain(Password, r.Output + r.Stderr);
    }

    [Fact]
    public async Task StatusAndDeadLetters_OfADatabaseNothingHasRunWith_AreOneLine_AndCreateNoTable()
    {
        var status = await Tgwatch.RunAsync("status", "--state", $"postgres:{_database}");
        var letters = await Tgwatch.RunAsync("deadletters", "list", "--state", $"postgres:{_database}");

        Assert.Equal((2, 2), (status.ExitCode, letters.ExitCode));
        var none = $"state store postgres://127.0.0.1:{_cluster.Port}/{new Npgsql.NpgsqlConnectionStringBuilder(_database).Database}: no Tgwatch state in this database (nothing has run with it yet)";
        Assert.Equal($"tgwatch status: {none}", Assert.Single(Lines(status.Stderr)));
        Assert.EndsWith(none, Assert.Single(Lines(letters.Stderr)));
        Assert.Equal(0L, await PostgresCluster.QueryAsync(_database, "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'tgwatch%'"));
    }

    [Fact]
    public async Task ABadConnectionString_IsOneLine_ExitCode2_WithoutThePassword()
    {
        const string Password = "Pa55-cli-never-shown";
        var run = await Tgwatch.RunAsync("run", "--bot-token", _sandbox.Token, "--data-dir", _dir, "--sink", $"postgres:Host=h;Pasword={Password}");
        var status = await Tgwatch.RunAsync("status", "--state", $"postgres:Host=h;Port=x;Password={Password}");

        Assert.Equal((2, 2), (run.ExitCode, status.ExitCode));
        Assert.Contains("--sink postgres: not a valid Npgsql connection string: no keyword 'Pasword'", Assert.Single(Lines(run.Stderr)));
        Assert.Equal("tgwatch status: state store postgres: not a valid Npgsql connection string (expected Host=HOST;Port=5432;Database=DB;Username=USER;Password=…)", Assert.Single(Lines(status.Stderr)));
        foreach (var r in new[] { run, status }) Assert.DoesNotContain(Password, r.Output + r.Stderr);
    }

    [Fact]
    public async Task WithTheStateInPostgres_TwoFileSinksOnOneFile_AreStillRefused()
    {
        var file = Path.Combine(_dir, "out.jsonl");
        var link = Path.Combine(_dir, "link.jsonl");
        File.CreateSymbolicLink(link, file);
        var run = await Tgwatch.RunAsync("run", "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(), "--data-dir", _dir,
            "--state", $"postgres:{_database}", "--sink", $"jsonl:{file}", "--sink", $"jsonl:{link}");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("are the same file; give each sink a file of its own", Assert.Single(Lines(run.Stderr)));
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
