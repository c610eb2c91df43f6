using System.Text.Json;
using Tgwatch.Tdlib;
using Tgwatch.Tdlib.Native;

// Modes:
//   load                 start the TDLib runtime; a TdlibLoadException is one line on stderr and exit 2
//   auth DIR             verbose TDLib log into the callback, a client up to authorizationStateWaitPhoneNumber,
//                        then close; prints "lines N leaks M" (log lines the callback got, and those holding
//                        the api_hash); nothing else on stdout
//   hold DIR             a client with its parameters set on DIR; prints "ready", then waits for stdin to close
try
{
    var host = TdClientHost.Start();
    switch (args[0])
    {
        case "load":
            Console.WriteLine($"loaded {host.LibraryPath}");
            return 0;
        case "auth":
        {
            var lines = 0;
            var leaks = 0;
            host.LogLine += line =>
            {
                Interlocked.Increment(ref lines);
                if (line.Line.Contains(ApiHash, StringComparison.Ordinal)) Interlocked.Increment(ref leaks);
            };
            host.SetLogVerbosity(5);
            await using var client = host.CreateClient();
            await client.SetParametersAsync(Params(args[1]), TimeSpan.FromSeconds(30));
            await WaitForStateAsync(client, "authorizationStateWaitPhoneNumber");
            await client.CloseAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(300);
            Console.WriteLine($"lines {Volatile.Read(ref lines)} leaks {Volatile.Read(ref leaks)}");
            return 0;
        }
        case "hold":
        {
            await using var client = host.CreateClient();
            await client.SetParametersAsync(Params(args[1]), TimeSpan.FromSeconds(30));
            Console.WriteLine("ready");
            await Console.In.ReadToEndAsync();
            return 0;
        }
        default:
            Console.Error.WriteLine($"unknown mode {args[0]}");
            return 2;
    }
}
catch (TdlibLoadException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

// TDLib's public test credentials from its examples (not a secret of this project).
static TdlibParameters Params(string dir) => new(dir, 94575, ApiHash);


static async Task WaitForStateAsync(TdClient client, string state)
{
    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    await foreach (var update in client.Updates.ReadAllAsync(cts.Token))
        if (update.GetProperty("@type").GetString() == "updateAuthorizationState"
            && update.GetProperty("authorization_state").GetProperty("@type").GetString() == state)
            return;
    throw new InvalidOperationException($"no {state}");
}

internal partial class Program
{
    private const string ApiHash = "a3406de8d171bb422bb6ddf3bbd800e2";
}
