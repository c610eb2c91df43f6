using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tgwatch.Cli.Hosting;
using Tgwatch.Connectors;
using Tgwatch.Leases;
using Tgwatch.Messages;
using Tgwatch.Storage;

namespace Tgwatch.Cli.Commands;

/// <summary><c>tgwatch status</c>: what the state store knows: the connection state each run recorded, checkpoints, last message per chat, counts.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var json = new Option<bool>("--json") { Description = "One JSON object instead of text" };
        var command = new Command("status", "Show the connection state, checkpoints, the last message of each chat, dead letters, pending replies and outboxes")
        {
            common.State, common.DataDir, json,
        };
        command.SetAction((parse, ct) => Run(parse, common, json, ct));
        return command;
    }

    private static async Task<int> Run(ParseResult parse, CommonOptions common, Option<bool> json, CancellationToken ct)
    {
        var (stdout, stderr) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
        string path;
        try
        {
            path = DataPaths.StatePath(parse.GetValue(common.State), parse.GetValue(common.DataDir));
        }
        catch (CliException e)
        {
            await stderr.WriteLineAsync($"tgwatch status: {e.Message}").ConfigureAwait(false);
            return e.ExitCode;
        }
        if (!PostgresState.Is(path) && !File.Exists(path))
        {
            await stderr.WriteLineAsync($"tgwatch status: no state store at {path} (nothing has run with it yet)").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        StoreStatus status;
        IReadOnlyList<RunnerRecord> runners = [];
        try
        {
            await using var store = await StateAndSinks.OpenStoreAsync(path, ct, readOnly: true).ConfigureAwait(false);
            status = await store.GetStatusAsync(ct).ConfigureAwait(false);
            // A shared store (PostgreSQL): the runners of its accounts, active or standby.
            if (store is ILeaseStore leases) runners = await leases.RunnersAsync(ct).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            await stderr.WriteLineAsync($"tgwatch status: {e.Message}").ConfigureAwait(false);
            return e.ExitCode;
        }
        var now = DateTimeOffset.UtcNow;
        await stdout.WriteAsync(parse.GetValue(json) ? Json(status, now, runners) : Text(PostgresState.Shown(path), status, now, runners)).ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    internal static string Text(string path, StoreStatus s, DateTimeOffset now, IReadOnlyList<RunnerRecord>? runners = null)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine($"state store   {path}");
        foreach (var link in s.Links) w.WriteLine($"connection    {link.Connector}/{link.Account}: {Describe(link, now)}");
        w.WriteLine($"processed     {s.Processed} messages remembered for dedup");
        w.WriteLine($"dead letters  {s.DeadLetters}{(s.DeadLetters > 0 ? "  (tgwatch deadletters list)" : "")}");
        w.WriteLine($"replies       {s.PendingReplies} waiting to be resolved");
        foreach (var (sink, count) in s.Outbox.OrderBy(o => o.Key, StringComparer.Ordinal)) w.WriteLine($"outbox        {sink}: {count} waiting");
        if (s.Checkpoints.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("checkpoints");
            foreach (var c in s.Checkpoints) w.WriteLine($"  {c.Connector}/{c.Account}  {c.Stream} at {Position(c)}  ({TgMessageJson.FormatDate(c.UpdatedAt)})");
        }
        if (runners is { Count: > 0 })
        {
            w.WriteLine();
            w.WriteLine("runners");
            foreach (var r in runners)
                w.WriteLine($"  {r.Lease}  {(r.Active ? "active " : "standby")}  {r.Runner.Host} pid {r.Runner.Pid.ToString(CultureInfo.InvariantCulture)}, started {TgMessageJson.FormatDate(r.Runner.StartedAt)}, seen {Duration.Format(now - r.SeenAt)} ago");
        }
        if (s.Chats.Count > 0)
        {
            w.WriteLine();
            w.WriteLine("chats (last message)");
            foreach (var c in s.Chats.OrderByDescending(c => c.LastSeenAt))
                w.WriteLine($"  {c.ChatId,15}  {c.Title ?? "?"}  #{c.LastMessageId} of {TgMessageJson.FormatDate(c.LastDate)}, {c.Count} messages, last seen {TgMessageJson.FormatDate(c.LastSeenAt)}");
        }
        return w.ToString();
    }

    /// <summary>
    /// A checkpoint's position as its connector means it: a Bot API position past 32 bits is an update id in a later epoch;
    /// an imported file's position is a line.
    /// </summary>
    internal static string Position(CheckpointRow c) =>
        c.Connector == BotApi.BotApiConnector.ConnectorName && BotApi.BotApiConnector.EpochOf(c.Position) > 0
            ? $"{BotApi.BotApiConnector.IdOf(c.Position)} (update ids started again {BotApi.BotApiConnector.EpochOf(c.Position)}×)"
            : c.Connector == Connectors.File.JsonlFileConnector.ConnectorName ? $"line {Connectors.File.JsonlFileConnector.LineOf(c.Position).ToString(CultureInfo.InvariantCulture)}"
            : c.Position.ToString(CultureInfo.InvariantCulture);

    /// <summary>The link as its run last recorded it, and whether that run is still there to renew it.</summary>
    internal static string Describe(LinkRecord link, DateTimeOffset now)
    {
        if (link.Ended) return $"{link.Reason ?? "stopped"} at {TgMessageJson.FormatDate(link.Since)}";
        var since = $"since {TgMessageJson.FormatDate(link.Since)} ({Duration.Format(now - link.Since)})";
        var state = link.State switch
        {
            ConnectionState.Ready => $"ready {since}",
            ConnectionState.Connecting => $"connecting{(link.Reason is { } r ? $" ({r})" : "")} {since}",
            _ => $"disconnected{(link.Reason is { } d ? $" ({d})" : "")} {since}",
        };
        return link.IsStale(now)
            ? $"no run has reported since {TgMessageJson.FormatDate(link.ReportedAt)} ({Duration.Format(now - link.ReportedAt)} ago; killed?); it was {state}"
            : $"{state}, reported {Duration.Format(now - link.ReportedAt)} ago";
    }

    private static string Json(StoreStatus s, DateTimeOffset now, IReadOnlyList<RunnerRecord> runners)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            WriteJson(w, s, now, runners);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }

    /// <summary>The store's status as one JSON object: what <c>status --json</c> prints, and <c>/api/status</c> serves as <c>store</c>.</summary>
    internal static void WriteJson(Utf8JsonWriter w, StoreStatus s, DateTimeOffset now, IReadOnlyList<RunnerRecord>? runners = null)
    {
        w.WriteStartObject();
        if (runners is { Count: > 0 })
        {
            w.WriteStartArray("runners");
            foreach (var r in runners)
            {
                w.WriteStartObject();
                w.WriteString("lease", r.Lease);
                w.WriteString("role", r.Active ? "active" : "standby");
                w.WriteString("host", r.Runner.Host);
                w.WriteNumber("pid", r.Runner.Pid);
                w.WriteString("started_at", TgMessageJson.FormatDate(r.Runner.StartedAt));
                w.WriteString("seen_at", TgMessageJson.FormatDate(r.SeenAt));
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteNumber("processed", s.Processed);
        w.WriteNumber("dead_letters", s.DeadLetters);
        w.WriteNumber("pending_replies", s.PendingReplies);
        w.WriteStartObject("outbox");
        foreach (var (sink, count) in s.Outbox) w.WriteNumber(sink, count);
        w.WriteEndObject();
        w.WriteStartArray("connections");
        foreach (var link in s.Links)
        {
            w.WriteStartObject();
            w.WriteString("account", link.Account);
            w.WriteString("connector", link.Connector);
            w.WriteString("state", link.State.ToString().ToLowerInvariant());
            w.WriteString("reason", link.Reason);
            w.WriteString("since", TgMessageJson.FormatDate(link.Since));
            w.WriteString("reported_at", TgMessageJson.FormatDate(link.ReportedAt));
            w.WriteBoolean("ended", link.Ended);
            w.WriteBoolean("stale", link.IsStale(now));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("checkpoints");
        foreach (var c in s.Checkpoints)
        {
            w.WriteStartObject();
            w.WriteString("account", c.Account);
            w.WriteString("connector", c.Connector);
            w.WriteString("stream", c.Stream);
            // An imported file's position is its line (the hash of that line kept with it is the store's business).
            w.WriteNumber("position", c.Connector == Connectors.File.JsonlFileConnector.ConnectorName ? Connectors.File.JsonlFileConnector.LineOf(c.Position) : c.Position);
            w.WriteString("updated_at", TgMessageJson.FormatDate(c.UpdatedAt));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("chats");
        foreach (var c in s.Chats)
        {
            w.WriteStartObject();
            w.WriteNumber("chat_id", c.ChatId);
            w.WriteString("title", c.Title);
            w.WriteNumber("last_message_id", c.LastMessageId);
            w.WriteString("last_date", TgMessageJson.FormatDate(c.LastDate));
            w.WriteString("last_seen_at", TgMessageJson.FormatDate(c.LastSeenAt));
            w.WriteNumber("count", c.Count);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }
}
