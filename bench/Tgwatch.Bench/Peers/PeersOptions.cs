using System.Globalization;

namespace Tgwatch.Bench.Peers;

/// <summary>What one run of the peers benchmark measures, and how much of it (defaults: the sizes of issue 17).</summary>
internal sealed record PeersOptions
{
    /// <summary>Messages in the backlog a drain starts with, over <see cref="Chats"/> chats.</summary>
    public int Messages { get; init; } = 20_000;

    /// <summary>Messages in the backlog of a kill -9 run (killed at half of them, then restarted).</summary>
    public int KillMessages { get; init; } = 20_000;

    public int Chats { get; init; } = 4;

    /// <summary>Rounds of the start, live, drain and kill phases; figures are medians of the rounds.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Messages sent one at a time to a running peer, from its first poll on.</summary>
    public int Live { get; init; } = 200;

    public TimeSpan LiveInterval { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>Idle time not counted after the start (the first minute: start-up, JIT, tiering).</summary>
    public TimeSpan IdleSkip { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Idle time whose CPU is counted (scaled to a minute).</summary>
    public TimeSpan IdleWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The peers to run, by name (see <see cref="Peer"/>).</summary>
    public IReadOnlyList<string> Peers { get; init; } = [Peer.TgwatchName, Peer.PlainName, Peer.GrammyName];

    /// <summary>Which tgwatch runs: the native executable (the default), the .NET tool's ReadyToRun build, or <c>dotnet build</c>'s output.</summary>
    public TgwatchBuild Build { get; init; } = TgwatchBuild.Native;

    public const string Usage =
        "peers [--messages N] [--kill-messages N] [--rounds N] [--live N] [--live-interval-ms N] [--idle-skip SECONDS] [--idle-window SECONDS] [--peers tgwatch,plain,grammy] [--tgwatch native|tool|built]";

    /// <summary>Reads the options; throws <see cref="ArgumentException"/> naming the first one it cannot read.</summary>
    public static PeersOptions Parse(IReadOnlyList<string> args)
    {
        var options = new PeersOptions();
        for (var i = 0; i < args.Count; i += 2)
        {
            var name = args[i];
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{name} needs a value");
            options = name switch
            {
                "--messages" => options with { Messages = Count(name, value, 1) },
                "--kill-messages" => options with { KillMessages = Count(name, value, 2) },
                "--rounds" => options with { Rounds = Count(name, value, 1) },
                "--live" => options with { Live = Count(name, value, 1) },
                "--live-interval-ms" => options with { LiveInterval = TimeSpan.FromMilliseconds(Count(name, value, 1)) },
                "--idle-skip" => options with { IdleSkip = TimeSpan.FromSeconds(Count(name, value, 0)) },
                "--idle-window" => options with { IdleWindow = TimeSpan.FromSeconds(Count(name, value, 1)) },
                "--peers" => options with { Peers = PeerNames(value) },
                "--tgwatch" => options with
                {
                    Build = value switch
                    {
                        "native" => TgwatchBuild.Native,
                        "tool" => TgwatchBuild.Tool,
                        "built" => TgwatchBuild.Built,
                        _ => throw new ArgumentException($"--tgwatch takes native, tool or built, not '{value}'"),
                    },
                },
                _ => throw new ArgumentException($"unknown option {name}"),
            };
        }
        return options;
    }

    private static int Count(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= 100_000
            ? n : throw new ArgumentException($"{name} takes a whole number from {min} to 100000, not '{value}'");

    private static string[] PeerNames(string value)
    {
        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var name in names)
            if (name is not (Peer.TgwatchName or Peer.PlainName or Peer.GrammyName))
                throw new ArgumentException($"--peers: unknown peer '{name}' (tgwatch, plain, grammy)");
        return names.Length > 0 ? names : throw new ArgumentException("--peers names none");
    }
}

/// <summary>The builds of tgwatch a benchmark can run.</summary>
internal enum TgwatchBuild
{
    /// <summary>The native executable (<c>dotnet publish -p:PublishAot=true</c>): what "Install" ships as one file.</summary>
    Native,

    /// <summary>Published with ReadyToRun code and run by <c>dotnet</c>: what the .NET tool package holds.</summary>
    Tool,

    /// <summary>As <c>dotnet build</c> leaves it.</summary>
    Built,
}
