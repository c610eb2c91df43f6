using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Tgwatch.Cli.Hosting;
using Tgwatch.Tdlib;
using Tgwatch.Validation;

namespace Tgwatch.Cli.Login;

/// <summary>The <c>Tdlib</c> section: the app's credentials from my.telegram.org, where libtdjson is, how TDLib logs, which account.</summary>
internal sealed class TdlibSettings : IValidatableObject
{
    /// <summary>The application's api_id (my.telegram.org).</summary>
    [Between(1, int.MaxValue)]
    public int? ApiId { get; set; }

    /// <summary>The application's api_hash (my.telegram.org); a secret.</summary>
    [Pattern("^[0-9a-fA-F]{32}$", "expected 32 hexadecimal characters, as my.telegram.org gives it")]
    public string? ApiHash { get; set; }

    /// <summary>libtdjson (default: env TGWATCH_TDJSON, else the library next to the program).</summary>
    public string? Tdjson { get; set; }

    /// <summary>TDLib's log verbosity, 0 (fatal) to 5 (verbose); default 2 (warnings and errors).</summary>
    [Between(0, 5)]
    public int LogVerbosity { get; set; } = 2;

    /// <summary>The account's name: its TDLib database is <c>tdlib/&lt;Account&gt;</c> in the data directory.</summary>
    [Pattern(@"^(?!\.{1,2}$)[A-Za-z0-9._-]{1,64}$", "letters, digits, '.', '_' or '-' (at most 64), not . or ..")]
    public string Account { get; set; } = "default";

    /// <summary>How long a request to Telegram, or opening a logged-in session, may take (default 30 s).</summary>
    [Between(1, 3600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary><see cref="TimeoutSeconds"/> as a span.</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    /// <summary>The credentials from my.telegram.org that are missing: one line saying what to set (the other rules are on the settings).</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        const string Where = "(from https://my.telegram.org)";
        var missing = (ApiId is null, string.IsNullOrEmpty(ApiHash)) switch
        {
            (true, true) => $"no TDLib api id and api hash: give --api-id and --api-hash, set TGWATCH__TDLIB__APIID and TGWATCH__TDLIB__APIHASH, or Tdlib.ApiId and Tdlib.ApiHash in tgwatch.json {Where}",
            (true, false) => $"no TDLib api id: give --api-id, set TGWATCH__TDLIB__APIID, or Tdlib.ApiId in tgwatch.json {Where}",
            (false, true) => $"no TDLib api hash: give --api-hash, set TGWATCH__TDLIB__APIHASH, or Tdlib.ApiHash in tgwatch.json {Where}",
            _ => null,
        };
        if (missing is not null) yield return new ValidationResult(missing);
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

    /// <summary>The <c>setTdlibParameters</c> settings for <paramref name="databaseDirectory"/>; after <see cref="TdlibSettingsValidator"/>.</summary>
    public TdlibParameters Parameters(string databaseDirectory) => new(databaseDirectory, ApiId!.Value, ApiHash!)
    {
        ApplicationVersion = typeof(TdlibSettings).Assembly.GetName().Version?.ToString(3) ?? "0.1",
    };
}

/// <summary>Checks the <c>Tdlib</c> section by the rules on its settings, every problem at once.</summary>
[OptionsValidator]
internal sealed partial class TdlibSettingsValidator : IValidateOptions<TdlibSettings>;
