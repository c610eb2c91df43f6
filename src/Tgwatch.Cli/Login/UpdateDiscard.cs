using System.Text.Json;
using System.Threading.Channels;
using Tgwatch.Tdlib.Updates;

namespace Tgwatch.Cli.Login;

/// <summary>
/// Reads and drops a TDLib session's updates while started (TDLib's updates must be read steadily): for a command that only
/// sends requests, and for a runner waiting as standby, whose connector reads them once it is active. What they tell of users
/// and chats is kept in <paramref name="directory"/>'s directory when given: TDLib tells a session of each once, and a
/// connector that starts later with that directory names the senders and chats of its messages.
/// </summary>
/// <param name="updates">The session's updates.</param>
/// <param name="directory">Where users and chats are kept; none when null.</param>
internal sealed class UpdateDiscard(ChannelReader<JsonElement> updates, TdUpdateReader? directory = null)
{
    private CancellationTokenSource? _stop;
    private Task _discarding = Task.CompletedTask;

    /// <summary>Whether it was started and not stopped.</summary>
    public bool Running => _stop is not null;

    /// <summary>Starts dropping the updates.</summary>
    public void Start()
    {
        _stop = new CancellationTokenSource();
        _discarding = DiscardAsync(updates, directory, _stop.Token);
    }

    /// <summary>Stops dropping the updates (those not read yet stay for the next reader); nothing when not started.</summary>
    public async Task StopAsync()
    {
        if (_stop is null) return;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _discarding.ConfigureAwait(false);
        _stop.Dispose();
        _stop = null;
    }

    private static async Task DiscardAsync(ChannelReader<JsonElement> updates, TdUpdateReader? directory, CancellationToken ct)
    {
        try
        {
            await foreach (var update in updates.ReadAllAsync(ct).ConfigureAwait(false))
                directory?.ReadDirectory(update);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
