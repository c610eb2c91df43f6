namespace Tgwatch.Tdlib.Functions;

/// <summary><c>setTdlibParameters</c>: the parameters a new client needs before anything else (<see cref="TdlibParameters"/> makes it).</summary>
/// <param name="UseTestDc">Telegram's test data centres instead of the production ones.</param>
/// <param name="DatabaseDirectory">Where TDLib keeps its database.</param>
/// <param name="FilesDirectory">Where downloaded files go; empty: below the database directory.</param>
/// <param name="DatabaseEncryptionKey">The database's encryption key; empty: none.</param>
/// <param name="UseFileDatabase">Keep information about downloaded and uploaded files.</param>
/// <param name="UseChatInfoDatabase">Keep users, groups and channels.</param>
/// <param name="UseMessageDatabase">Keep messages.</param>
/// <param name="UseSecretChats">Support secret chats.</param>
/// <param name="ApiId">The application's api_id (my.telegram.org).</param>
/// <param name="ApiHash">The application's api_hash (a secret).</param>
/// <param name="SystemLanguageCode">The user's language code.</param>
/// <param name="DeviceModel">The device model.</param>
/// <param name="SystemVersion">The operating system's version; empty: TDLib finds it.</param>
/// <param name="ApplicationVersion">The application's version.</param>
public sealed record SetTdlibParameters(
    bool UseTestDc, string DatabaseDirectory, string FilesDirectory, byte[] DatabaseEncryptionKey, bool UseFileDatabase,
    bool UseChatInfoDatabase, bool UseMessageDatabase, bool UseSecretChats, int ApiId, string ApiHash, string SystemLanguageCode,
    string DeviceModel, string SystemVersion, string ApplicationVersion) : TdFunction;

/// <summary><c>getAuthorizationState</c> (it also wakes a new client).</summary>
public sealed record GetAuthorizationState : TdFunction;

/// <summary><c>setAuthenticationPhoneNumber</c>: log in as a user.</summary>
/// <param name="PhoneNumber">The phone number (a secret).</param>
/// <param name="Settings">How the code may be sent; null: TDLib's defaults.</param>
public sealed record SetAuthenticationPhoneNumber(string PhoneNumber, PhoneNumberAuthenticationSettings? Settings = null) : TdFunction;

/// <summary>
/// <c>phoneNumberAuthenticationSettings</c> (a bare type: written without <c>@type</c>): how the login code may be sent.
/// The fields for Telegram's own apps only (<c>allow_sms_retriever_api</c>, <c>firebase_authentication_settings</c>)
/// are left out: TDLib reads them as false and null.
/// </summary>
/// <param name="AllowFlashCall">The code may come as a flash call.</param>
/// <param name="AllowMissedCall">The code may come as a missed call.</param>
/// <param name="IsCurrentPhoneNumber">The phone number is the one of this device.</param>
/// <param name="HasUnknownPhoneNumber">This device has a SIM card whose number is not known.</param>
/// <param name="AuthenticationTokens">Tokens from earlier sessions that were logged out (at most 20).</param>
public sealed record PhoneNumberAuthenticationSettings(
    bool AllowFlashCall, bool AllowMissedCall, bool IsCurrentPhoneNumber, bool HasUnknownPhoneNumber, IReadOnlyList<string> AuthenticationTokens);

/// <summary><c>checkAuthenticationBotToken</c>: log in as a bot.</summary>
/// <param name="Token">The bot token (a secret).</param>
public sealed record CheckAuthenticationBotToken(string Token) : TdFunction;

/// <summary><c>requestQrCodeAuthentication</c>: log in by scanning a QR code with a logged-in app.</summary>
/// <param name="OtherUserIds">Users of other accounts already logged in on this device.</param>
public sealed record RequestQrCodeAuthentication(IReadOnlyList<long> OtherUserIds) : TdFunction;

/// <summary><c>checkAuthenticationCode</c>.</summary>
/// <param name="Code">The login code (a secret).</param>
public sealed record CheckAuthenticationCode(string Code) : TdFunction;

/// <summary><c>checkAuthenticationPassword</c>: the two-step verification password.</summary>
/// <param name="Password">The password (a secret).</param>
public sealed record CheckAuthenticationPassword(string Password) : TdFunction;

/// <summary><c>close</c>: closes the client (<c>authorizationStateClosed</c> follows).</summary>
public sealed record Close : TdFunction;
