using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Tgwatch.Cli.Login;
using Tgwatch.Tdlib.Auth;
using Tgwatch.Tdlib.Connector;
using Tgwatch.Tdlib.Functions;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Cli.Run;

/// <summary>
/// <c>tgwatch run --connector tdlib</c>: the account's session (no login here: a session that is not logged in is exit
/// code 3, "run tgwatch login first") and the connector over it.
/// </summary>
internal static class TdlibRun
{
    /// <summary>Opens the logged-in session of the configured account; failures are typed (see <see cref="TdlibSessions.Describe"/>).</summary>
    public static async Task<OpenedTdlibSession> OpenAsync(RunSettings settings, ILoggerFactory logs, CancellationToken ct)
    {
        var opened = await TdlibSessions.OpenAsync(settings.Tdlib, settings.DataDir, NoAuthPrompt.Instance, logs, settings.Tdlib.Timeout, linkLog: null, ct).ConfigureAwait(false);
        try
        {
            opened.Account = await AccountAsync(opened.Session, settings.Tdlib.Timeout, ct).ConfigureAwait(false);
            return opened;
        }
        catch
        {
            await opened.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The connector over an opened session (telling <paramref name="poster"/>, the alerts' poster over the same session, how its messages fared).</summary>
    public static TdlibConnector Connector(OpenedTdlibSession opened, RunSettings settings, ILoggerFactory logs, Tgwatch.Health.Heartbeat? heartbeat = null,
        TdlibChatPoster? poster = null)
    {
        var account = opened.Account ?? throw new InvalidOperationException("the session's account is not known yet");
        // Told of what the session was told while no connector read its updates (a standby's wait): its users and chats, and
        // the state of its link and authorization.
        return new TdlibConnector(opened.NextReader(), new TdUpdateReader(account, opened.Directory), new TdlibConnectorOptions
        {
            Account = account,
            Chats = settings.Chats,
            RequestTimeout = settings.Tdlib.Timeout,
        }, logs.CreateLogger("Tgwatch.Tdlib.Connector")) { Heartbeat = heartbeat, Poster = poster };
    }

    /// <summary>The account name records carry: <c>user&lt;id&gt;</c>, or <c>bot&lt;id&gt;</c> for a bot (as the Bot API connector names it).</summary>
    internal static async Task<string> AccountAsync(Tgwatch.Tdlib.ITdSession session, TimeSpan timeout, CancellationToken ct)
    {
        var me = await session.SendAsync(new GetMe(), timeout, ct).ConfigureAwait(false);
        // The account's phone number is a secret: masked from here on wherever it would be written.
        if (me.ValueKind == JsonValueKind.Object && me.TryGetProperty("phone_number", out var phone) && phone.ValueKind == JsonValueKind.String)
            TdAuthorization.RegisterPhoneNumber(phone.GetString());
        return AccountOf(me);
    }

    internal static string AccountOf(JsonElement me)
    {
        if (me.ValueKind != JsonValueKind.Object || !me.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt64(out var id))
            throw new Tgwatch.Tdlib.TdlibErrorException(500, "getMe answered without a user id", "getMe");
        var bot = me.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Object
            && type.TryGetProperty("@type", out var t) && t.ValueEquals("userTypeBot");
        return (bot ? "bot" : "user") + id.ToString(CultureInfo.InvariantCulture);
    }
}
