using System.Globalization;
using Tgwatch.Connectors;

namespace Tgwatch.Cli.Run;

/// <summary>How the run's own summary lines (the heartbeat line, systemd's status) say that its link is down.</summary>
internal static class LinkLine
{
    /// <summary><c>link down since 10:02:11Z (connection refused)</c>.</summary>
    public static string DownSince(ConnectionStatus link) =>
        string.Create(CultureInfo.InvariantCulture, $"link down since {link.Since:HH:mm:ss}Z ({link.Reason})");
}
