using System.Diagnostics;
using System.Globalization;
using Tgwatch.Messages;
using Tgwatch.Sandbox;
using Tgwatch.Sandbox.Admin;
using Tgwatch.TestKit;
using Xunit.Abstractions;

namespace Tgwatch.Cli.Tests;

/// <summary>Routes: sinks and handlers in <c>tgwatch.json</c> that take only some messages, in a real <c>tgwatch run</c> against the sandbox.</summary>
public sealed class RouteRunTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dir = Some.TempDirectory("tgwatch-routes");
    private BotApiSandbox _sandbox = null!;

    public async Task InitializeAsync() => _sandbox = await BotApiSandbox.StartAsync(new SandboxOptions(), CancellationToken.None);

    public async Task DisposeAsync() => await _sandbox.DisposeAsync();

    private string P(string name) => Path.Combine(_dir, name);

    private static string Script => Path.Combine(AppContext.BaseDirectory, "Handlers", "unruly_handler.py");

    [Fact]
    public async Task ASinkAndAHandlerOnARoute_TakeExactlyTheMessagesItKeeps_OnceEach_AndTheSinkWithoutOneTakesAll()
    {
        var sent = new List<(long Chat, string Text)>();
        for (var i = 0; i < 30; i++)
        {
            var chat = i % 2 == 0 ? -100901L : -100902L;
            var text = i % 3 == 0 ? $"URGENT: disk {i} full" : $"all fine {i}";
            sent.Add((chat, text));
            await _sandbox.Admin.SendMessageAsync(new InjectMessage { ChatId = chat, Text = text, From = new SandboxUser { Id = 5, FirstName = "Eve" } });
        }
        await File.WriteAllTextAsync(P("tgwatch.json"), $$"""
            {
              "Sinks": [
                "jsonl:{{P("all.jsonl")}}",
                { "Sink": "jsonl:{{P("urgent.jsonl")}}", "Chats": ["-100901"], "Text": "urgent" }
              ],
              "Handlers": [
                { "Exec": "/usr/bin/python3 {{Script}} {{P("handled.txt")}}", "Text": "^all fine", "Kinds": ["new"] }
              ]
            }
            """);
        using var run = Tgwatch.Start("run", "--config", P("tgwatch.json"), "--bot-token", _sandbox.Token, "--bot-api-url", _sandbox.BaseUrl.ToString(), "--state", P("state.db"));
        run.StandardInput.Close();
        var stderr = run.StandardError.ReadToEndAsync();
        await Eventually.TrueAsync(() => File.Exists(P("all.jsonl")) && File.ReadAllLines(P("all.jsonl")).Length == sent.Count, "every message in all.jsonl", Tgwatch.Patience);
        Process.Start("kill", ["-TERM", run.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
        await run.WaitForExitAsync().WaitAsync(Tgwatch.Patience);
        output.WriteLine(await stderr);
        Assert.Equal(0, run.ExitCode);

        var all = File.ReadAllLines(P("all.jsonl")).Select(l => TgMessageJson.Parse(l)).ToList();
        Assert.Equal(sent.Select(s => s.Text).Order(), all.Select(m => m.Text!).Order());
        var urgent = File.ReadAllLines(P("urgent.jsonl")).Select(l => TgMessageJson.Parse(l).Text!).ToList();
        Assert.Equal(sent.Where(s => s.Chat == -100901 && s.Text.StartsWith("URGENT", StringComparison.Ordinal)).Select(s => s.Text).Order(), urgent.Order());
        var keys = all.ToDictionary(m => m.Key, m => m.Text!);
        var handled = File.ReadAllLines(P("handled.txt"));
        Assert.Equal(handled.Length, handled.Distinct().Count());
        Assert.Equal(sent.Where(s => s.Text.StartsWith("all fine", StringComparison.Ordinal)).Select(s => s.Text).Order(), handled.Select(k => keys[k]).Order());
    }

    [Theory]
    [InlineData("""{ "Sinks": ["console", { "Sink": "jsonl:out.jsonl", "Kinds": ["bogus"] }] }""", "Sinks:1:Kinds: kind \"bogus\" is not one of new, edit, delete")]
    [InlineData("""{ "Sinks": [{ "Sink": "jsonl:out.jsonl", "Text": "(" }] }""", "Sinks:0:Text: text pattern \"(\" is not valid")]
    [InlineData("""{ "Handlers": [{ "Exec": "python3 h.py", "Chats": ["not a chat"] }] }""", "Handlers:0:Chats:")]
    [InlineData("""{ "Sinks": [{ "Sink": "jsonl:out.jsonl", "Chat": ["@news"] }] }""", "unknown setting Sinks:0:Chat (did you mean Sinks:0:Chats?)")]
    public async Task ARouteThatCannotBeRead_IsOneLineNamingItsKey_AndExitCode2(string json, string expected)
    {
        await File.WriteAllTextAsync(P("tgwatch.json"), json);
        var run = await Tgwatch.RunAsync(null, "run", "--config", P("tgwatch.json"), "--bot-token", _sandbox.Token, "--state", P("state.db"));
        output.WriteLine(run.Stderr);
        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(expected, line);
        Assert.StartsWith("tgwatch run: ", line);
    }
}
