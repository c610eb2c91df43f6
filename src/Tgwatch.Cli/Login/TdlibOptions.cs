using System.CommandLine;

namespace Tgwatch.Cli.Login;

/// <summary>The flags of the <c>Tdlib</c> section, shared by <c>login</c>, <c>chats</c> and <c>run</c>.</summary>
internal sealed class TdlibOptions
{
    public Option<string?> ApiId { get; } = new("--api-id") { Description = "The app's api_id from my.telegram.org (or env TGWATCH__TDLIB__APIID)" };

    public Option<string?> ApiHash { get; } = new("--api-hash") { Description = "The app's api_hash from my.telegram.org (or env TGWATCH__TDLIB__APIHASH)" };

    public Option<string?> Tdjson { get; } = new("--tdjson") { Description = "libtdjson to load (default: env TGWATCH_TDJSON, else the one next to the program)" };

    public Option<string?> LogVerbosity { get; } = new("--tdlib-log-verbosity") { Description = "TDLib's log verbosity, 0 to 5 (default 2: warnings and errors)" };

    public Option<string?> Account { get; } = new("--account") { Description = "The account's name: its session is tdlib/NAME in the data directory (default 'default')" };

    /// <summary>The options, to add to a command.</summary>
    public IEnumerable<Option> All => [ApiId, ApiHash, Tdjson, LogVerbosity, Account];

    /// <summary>The configuration keys the flags set (null when not given).</summary>
    public IEnumerable<KeyValuePair<string, string?>> Flags(ParseResult parse) =>
    [
        new("Tdlib:ApiId", parse.GetValue(ApiId)),
        new("Tdlib:ApiHash", parse.GetValue(ApiHash)),
        new("Tdlib:Tdjson", parse.GetValue(Tdjson)),
        new("Tdlib:LogVerbosity", parse.GetValue(LogVerbosity)),
        new("Tdlib:Account", parse.GetValue(Account)),
    ];
}
