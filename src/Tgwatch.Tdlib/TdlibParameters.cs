using Tgwatch.Tdlib.Functions;

namespace Tgwatch.Tdlib;

/// <summary>The settings of <c>setTdlibParameters</c>. <see cref="ToString"/> leaves the api_hash out.</summary>
public sealed record TdlibParameters(string DatabaseDirectory, int ApiId, string ApiHash)
{
    /// <summary>Where downloaded files go; null: TDLib's default below the database directory.</summary>
    public string? FilesDirectory { get; init; }

    /// <summary>Telegram's test data centres instead of the production ones.</summary>
    public bool UseTestDc { get; init; }

    /// <summary>Keep messages in TDLib's database (needed for history and reply lookups after a restart).</summary>
    public bool UseMessageDatabase { get; init; } = true;

    /// <summary>Keep users, groups and channels in TDLib's database.</summary>
    public bool UseChatInfoDatabase { get; init; } = true;

    /// <summary>The device model reported to Telegram.</summary>
    public string DeviceModel { get; init; } = "Tgwatch";

    /// <summary>The application version reported to Telegram.</summary>
    public string ApplicationVersion { get; init; } = "0.1";

    /// <summary>The user's language code reported to Telegram.</summary>
    public string SystemLanguageCode { get; init; } = "en";

    /// <summary>Everything but the api_hash.</summary>
    public override string ToString() => $"TdlibParameters {{ DatabaseDirectory = {DatabaseDirectory}, ApiId = {ApiId}, UseTestDc = {UseTestDc} }}";

    internal SetTdlibParameters ToRequest() => new(
        UseTestDc, DatabaseDirectory, FilesDirectory ?? "", DatabaseEncryptionKey: [], UseFileDatabase: false, UseChatInfoDatabase,
        UseMessageDatabase, UseSecretChats: false, ApiId, ApiHash, SystemLanguageCode, DeviceModel, SystemVersion: "", ApplicationVersion);
}

/// <summary>Another Tgwatch process (or client of this one) already uses the TDLib database directory.</summary>
public sealed class TdlibDatabaseInUseException(string directory)
    : Exception($"the TDLib database {directory} is in use by another Tgwatch process or client; stop it or choose another data directory")
{
    /// <summary>The database directory.</summary>
    public string Directory { get; } = directory;
}
