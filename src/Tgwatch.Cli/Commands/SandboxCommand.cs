using Tgwatch.Secrets;
using System.CommandLine;
using System.Globalization;
using Tgwatch.Cli.Hosting;
using Tgwatch.Sandbox;

namespace Tgwatch.Cli.Commands;

/// <summary><c>tgwatch sandbox</c>: serves a Bot API compatible sandbox on 127.0.0.1 until SIGINT or SIGTERM.</summary>
internal static class SandboxCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port")
        {
            Description = "Loopback port to listen on (default 0: a free one)",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value <= 65_535) return value;
                result.AddError($"--port must be a number between 0 and 65535, not '{text}'");
                return 0;
            },
        };
        var token = new Option<string?>("--token") { Description = "The bot token it answers to, like 123456:ABC-DEF (default: a generated one)" };
        token.Validators.Add(result =>
        {
            if (!BotToken.IsWellFormed(result.GetValueOrDefault<string?>()))
                result.AddError("--token must look like a bot token: digits, ':', then letters, digits, '_' or '-'");
        });
        var command = new Command("sandbox", "Serve a Bot API compatible sandbox on 127.0.0.1 (getUpdates, sendMessage…) with an admin API to inject messages and faults")
        {
            port, token,
        };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(port), parse.GetValue(token), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    private static async Task<int> RunAsync(int port, string? token, TextWriter stdout, TextWriter stderr)
    {
        using var stop = new StopSignal();
        BotApiSandbox sandbox;
        try
        {
            sandbox = await BotApiSandbox.StartAsync(new SandboxOptions { Port = port, Tokens = token is null ? [] : [token] }, stop.Token).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await stderr.WriteLineAsync($"tgwatch sandbox: cannot listen on 127.0.0.1:{port}: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        await using (sandbox.ConfigureAwait(false))
        {
            var url = sandbox.BaseUrl.ToString();
            // The sandbox's token is made up for this loopback server and printed on purpose, unmasked: it is what to run tgwatch with.
            await RedactingWriter.Unwrap(stdout).WriteLineAsync($"[tgwatch] sandbox: Bot API at {url} with token {sandbox.Token} (tgwatch: --bot-api-url {url} --bot-token {sandbox.Token})").ConfigureAwait(false);
            await stdout.WriteLineAsync($"[tgwatch] inject a message: curl -s {url}sandbox/messages -H 'Content-Type: application/json' -d '{{\"chat_id\":-1001000000001,\"text\":\"hello\"}}'").ConfigureAwait(false);
            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            try { await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        var stats = sandbox.Stats();
        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"[tgwatch] sandbox stopped: {stats.RequestsServed + stats.AdminRequests} requests served ({stats.RequestsServed} Bot API, {stats.AdminRequests} admin), {stats.FaultsInjected} faults injected")).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
