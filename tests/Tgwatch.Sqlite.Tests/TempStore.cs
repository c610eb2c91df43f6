using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Connectors;
using Tgwatch.Storage;
using Tgwatch.TestKit;
using Tgwatch.TestKit.Contracts;

namespace Tgwatch.Sqlite.Tests;

/// <summary>A state store in a fresh temp directory, with a fake clock; removes the directory at the end.</summary>
internal sealed class TempStore : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = StoreData.Start;

    private TempStore(string directory, string path, FakeTimeProvider time, SqliteStateStore store)
    {
        Directory = directory;
        Path = path;
        Time = time;
        Store = store;
    }

    public string Directory { get; }
    public string Path { get; }
    public FakeTimeProvider Time { get; }
    public SqliteStateStore Store { get; private set; }

    public static async Task<TempStore> OpenAsync(SqliteStateStoreOptions? options = null)
    {
        var directory = Some.TempDirectory("tgwatch-sqlite");
        var path = System.IO.Path.Combine(directory, "tgwatch.db");
        var time = new FakeTimeProvider(Start);
        var store = await SqliteStateStore.OpenAsync(path, time, options ?? SqliteStateStoreOptions.Default, CancellationToken.None);
        return new TempStore(directory, path, time, store);
    }

    public async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = await SqliteStateStore.OpenAsync(Path, Time, CancellationToken.None);
    }

    /// <summary>A raw connection to the file, for checks the store's API does not offer.</summary>
    public SqliteConnection Raw() => RawConnection(Path);

    public static SqliteConnection RawConnection(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* best effort */ }
    }
}

/// <summary>Builders of store data.</summary>
internal static class Make
{
    public static ProcessedMessage Message(long chat, long id, DateTimeOffset? date = null, string? title = null, string account = "bot1") =>
        StoreData.Message(chat, id, date, title, account);

    public static ProcessedMessage[] Messages(long chat, long from, int count, string? title = null) => StoreData.Messages(chat, from, count, title);

    public static StoreCommit Commit(DateTimeOffset at, IReadOnlyList<ProcessedMessage> processed, params Checkpoint[] checkpoints) =>
        StoreData.Commit(at, processed, checkpoints);

    public static string[] Keys(IEnumerable<ProcessedMessage> messages) => StoreData.Keys(messages);

    public static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Text(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }
}
