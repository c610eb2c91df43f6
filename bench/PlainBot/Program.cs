using System.Text.Json;
using Telegram.Bot;
using Telegram.Bot.Polling;
using Telegram.Bot.Types;

// PlainBot API_URL TOKEN OUT.jsonl: every message the bot receives, appended to OUT.jsonl as one JSON line, flushed.
// As a user writes it: Telegram.Bot's own receiving loop with its defaults, errors printed and the loop going on.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: PlainBot API_URL TOKEN OUT.jsonl");
    return 2;
}
var bot = new TelegramBotClient(new TelegramBotClientOptions(args[1], args[0]));
var json = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
await using var output = new StreamWriter(args[2], append: true);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

try
{
    await bot.ReceiveAsync(
        async (_, update, ct) =>
        {
            if ((update.Message ?? update.ChannelPost) is not { } message) return;
            var record = new Record(
                message.Chat.Id, message.MessageId, message.Date,
                message.From is { } from ? new SenderInfo(from.Id, $"{from.FirstName} {from.LastName}".Trim(), from.Username) : null,
                new ChatInfo(message.Chat.Title, message.Chat.Username, message.Chat.Type.ToString().ToLowerInvariant()),
                message.Text ?? message.Caption);
            await output.WriteLineAsync(JsonSerializer.Serialize(record, json));
            await output.FlushAsync(ct);
        },
        (_, error, _) =>
        {
            Console.Error.WriteLine($"error: {error.Message}");
            return Task.CompletedTask;
        },
        new ReceiverOptions { AllowedUpdates = [] },
        stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
}
return 0;

internal sealed record Record(long ChatId, int MessageId, DateTime Date, SenderInfo? Sender, ChatInfo Chat, string? Text);

internal sealed record SenderInfo(long Id, string Name, string? Username);

internal sealed record ChatInfo(string? Title, string? Username, string Type);
