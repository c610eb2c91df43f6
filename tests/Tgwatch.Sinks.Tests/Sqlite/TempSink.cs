using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Tgwatch.Messages;
using Tgwatch.Sinks.Sqlite;
using Tgwatch.TestKit;

namespace Tgwatch.Sinks.Tests.Sqlite;

/// <summary>An SQLite sink on a file in a fresh temp directory, and a raw connection to look at its rows.</summary>
internal sealed class TempSink : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public TempSink(string file = "messages.db")
    {
        Directory = Some.TempDirectory("tgwatch-sqlite-sink");
        Path = System.IO.Path.Combine(Directory, file);
        Time = new FakeTimeProvider(Now);
        Sink = new SqliteMessageSink(Path, Time);
    }

    public string Directory { get; }
    public string Path { get; }
    public FakeTimeProvider Time { get; }
    public SqliteMessageSink Sink { get; }

    public ValueTask WriteAsync(params TgMessage[] batch) => Sink.WriteAsync(batch, CancellationToken.None);

    /// <summary>Every row, every column, in key order (column name → value).</summary>
    public List<Dictionary<string, object?>> Rows(string where = "1 = 1")
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM messages WHERE {where} ORDER BY key";
        using var r = command.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (r.Read())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < r.FieldCount; i++) row[r.GetName(i)] = r.IsDBNull(i) ? null : r.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }

    public long Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        await Sink.DisposeAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* best effort */ }
    }
}

/// <summary>Builders of messages.</summary>
internal static class Msg
{
    public static TgMessage New(long chat, long id, string? text = null, ReplyRef? reply = null, string account = "bot1", DateTimeOffset? date = null) => new()
    {
        Account = account,
        Connector = "botapi",
        Chat = new ChatInfo(chat, chat < 0 ? "supergroup" : "private", chat < 0 ? "Group" : "Alice", chat < 0 ? null : "alice"),
        MessageId = id,
        Date = date ?? TempSink.Now.AddMinutes(-100 + id),
        Sender = new SenderInfo(7, "Alice A.", "alice"),
        Text = text ?? $"message {id}",
        ReplyTo = reply,
    };

    public static TgMessage Edit(TgMessage m, int secondsLater, string text) =>
        m with { Kind = MessageKind.Edit, EditDate = m.Date.AddSeconds(secondsLater), Text = text };

    public static ReplyRef Unresolved(long chat, long id) => new(chat, id, ReplyState.Unresolved);

    public static TgMessage ReplyUpdate(TgMessage m, string text) =>
        m with { IsReplyUpdate = true, Kind = MessageKind.Edit, ReplyTo = m.ReplyTo! with { State = ReplyState.Resolved, Text = text } };
}
