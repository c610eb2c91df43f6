using System.Text.RegularExpressions;
using Tgwatch.Cli.Hosting;
using Tgwatch.Tdlib;

namespace Tgwatch.Cli.Login;

/// <summary>The <c>Tdlib</c> section: the app's credentials from my.telegram.org, where libtdjson is, how TDLib logs, which account.</summary>
internal sealed partial class TdlibSettings
{
    /// <summary>The application's api_id (my.telegram.org).</summary>
    public int? ApiId { get; set; }

    /// <summary>The application's api_hash (my.telegram.org); a secret.</summary>
    public string? ApiHash { get; set; }

    /// <summary>libtdjson (default: env TGWATCH_TDJSON, else the library next to the program).</summary>
    public string? Tdjson { get; set; }

    /// <summary>TDLib's log verbosity, 0 (fatal) to 5 (verbose); default 2 (warnings and errors).</summary>
    public int LogVerbosity { get; set; } = 2;

    /// <summary>The account's name: its TDLib database is <c>tdlib/&lt;Account&gt;</c> in the data directory.</summary>
    public string Account { get; set; } = "default";

    /// <summary>How long a request to Telegram, or opening a logged-in session, may take (default 30 s).</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary><see cref="TimeoutSeconds"/> as a span.</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    /// <summary>Checks the section; a problem is one line naming the key (exit code 2). Registers the api_hash as a secret.</summary>
    public void Validate()
    {
        if (ApiId is null)
            throw new CliException(ExitCodes.Usage, "no TDLib api id: give --api-id, set TGWATCH__TDLIB__APIID, or Tdlib.ApiId in tgwatch.json (from https://my.telegram.org)");
        if (ApiId <= 0) throw new CliException(ExitCodes.Usage, "Tdlib:ApiId: a positive number, as my.telegram.org gives it");
        if (string.IsNullOrEmpty(ApiHash))
            throw new CliException(ExitCodes.Usage, "no TDLib api hash: give --api-hash, set TGWATCH__TDLIB__APIHASH, or Tdlib.ApiHash in tgwatch.json (from https://my.telegram.org)");
        Secrets.SecretRedactor.Register(ApiHash);
        if (!HexHash().IsMatch(ApiHash)) throw new CliException(ExitCodes.Usage, "Tdlib:ApiHash: expected 32 hexadecimal characters, as my.telegram.org gives it");
        if (LogVerbosity is < 0 or > 5) throw new CliException(ExitCodes.Usage, "Tdlib:LogVerbosity: between 0 and 5");
        if (TimeoutSeconds is < 1 or > 3600) throw new CliException(ExitCodes.Usage, "Tdlib:TimeoutSeconds: between 1 and 3600");
        if (!AccountName().IsMatch(Account) || Account is "." or "..")
            throw new CliException(ExitCodes.Usage, $"Tdlib:Account: letters, digits, '.', '_' or '-', not '{Account}'");
    }

    /// <summary>The TDLib database directory of the account: <c>&lt;data dir&gt;/tdlib/&lt;account&gt;</c> (created 0700 with its parents; one that cannot be is a <see cref="CliException"/>, exit code 2).</summary>
    public string DatabaseDirectory(string? dataDirectory)
    {
        var root = Path.Combine(DataPaths.DataDirectory(dataDirectory), "tdlib");
        DataPaths.CreatePrivate(root);
        var database = Path.Combine(root, Account);
        DataPaths.CreatePrivate(database);
        return database;
    }

    /// <summary>The <c>setTdlibParameters</c> settings for <paramref name="databaseDirectory"/>; after <see cref="Validate"/>.</summary>
    public TdlibParameters Parameters(string databaseDirectory) => new(databaseDirectory, ApiId!.Value, ApiHash!)
    {
        ApplicationVersion = typeof(TdlibSettings).Assembly.GetName().Version?.ToString(3) ?? "0.1",
    };

    [GeneratedRegex("^[0-9a-fA-F]{32}$")]
    private static partial Regex HexHash();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex AccountName();
}
