using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Tgwatch.Cli.Run;

/// <summary>
/// Settings that have a new name (every backoff is <c>MinBackoff</c>/<c>MaxBackoff</c> now): a key under its old name is
/// still read, as the new one, and said once at start (<see cref="CliLog.RenamedSetting"/>). A source that gives both
/// names is read by the new one; between sources, the later one wins, whatever name it uses.
/// </summary>
internal static class RenamedSettings
{
    /// <summary>A renamed key: its old and new paths, the type of its old value, and that value written for the new key.</summary>
    private sealed record Rename(string Old, string New, Type OldType, Func<string, string> Convert, string? OldRule = null);

    private static readonly Rename[] All =
    [
        new("Pipeline:RetryDelay", "Pipeline:MinBackoff", typeof(TimeSpan), value => value),
        new("Pipeline:MaxRetryDelay", "Pipeline:MaxBackoff", typeof(TimeSpan), value => value),
        new("BotApi:MaxBackoffSeconds", "BotApi:MaxBackoff", typeof(int), Seconds, "between 1 and 3600"),
    ];

    /// <summary>The setting an old key names (the type of its value and its old name), or null when <paramref name="path"/> is none.</summary>
    public static (Type Type, string Name)? Member(string path) =>
        Find(path) is { } rename ? (rename.OldType, rename.Old[(rename.Old.LastIndexOf(':') + 1)..]) : null;

    /// <summary>
    /// The configuration to bind: the keys that fit, a later source winning as in <paramref name="configuration"/>, each old
    /// key under its new name; each old key read is added to <paramref name="read"/>.
    /// </summary>
    /// <param name="configuration">The sources as given (they name where a key was written).</param>
    /// <param name="fitting">The same sources, in the same order, with only the keys that fit (<see cref="SettingsCheck.Check"/>).</param>
    /// <param name="file">The configuration file as the user gave it (its source is named so).</param>
    /// <param name="read">Where the old keys read are told.</param>
    public static IConfiguration Apply(IConfigurationRoot configuration, IConfigurationRoot fitting, string? file, List<RenamedSetting> read)
    {
        var merged = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var sources = configuration.Providers.ToList();
        var fits = fitting.Providers.ToList();
        for (var i = 0; i < fits.Count; i++)
        {
            var own = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            Collect(fits[i], null, own);
            foreach (var key in own.Keys.ToList())
            {
                if (Find(key) is not { } rename) continue;
                var value = own[key] is { } written ? rename.Convert(written) : null;
                own.Remove(key);
                read.Add(new RenamedSetting(SettingsCheck.Source(sources[i], file, key), rename.Old, rename.New, value));
                own.TryAdd(rename.New, value);
            }
            foreach (var (key, value) in own) merged[key] = value;
        }
        return new ConfigurationBuilder().AddInMemoryCollection(merged).Build();
    }

    /// <summary>The old names of <paramref name="path"/> (a setting's key now), if it was renamed.</summary>
    public static IEnumerable<string> OldNames(string path) =>
        All.Where(r => string.Equals(r.New, path, StringComparison.OrdinalIgnoreCase)).Select(r => r.Old);

    /// <summary>
    /// A problem of a value read under the old name <paramref name="old"/>, as that name's values are written (a number of
    /// seconds for <c>BotApi:MaxBackoffSeconds</c>); else <paramref name="problem"/> as it is.
    /// </summary>
    public static string Problem(string old, string problem) =>
        All.FirstOrDefault(r => string.Equals(r.Old, old, StringComparison.OrdinalIgnoreCase))?.OldRule ?? problem;

    private static Rename? Find(string path) => All.FirstOrDefault(r => string.Equals(r.Old, path, StringComparison.OrdinalIgnoreCase));

    /// <summary>Every key <paramref name="provider"/> gives a value, under <paramref name="parent"/>, as it spells it.</summary>
    private static void Collect(IConfigurationProvider provider, string? parent, Dictionary<string, string?> into)
    {
        foreach (var child in provider.GetChildKeys([], parent).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var path = parent is null ? child : ConfigurationPath.Combine(parent, child);
            if (provider.TryGet(path, out var value)) into[path] = value;
            Collect(provider, path, into);
        }
    }

    /// <summary>A number of seconds as a duration (hh:mm:ss); what is not one is left for the binder to refuse.</summary>
    private static string Seconds(string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture)
            : value;
}

/// <summary>A setting read under its old name.</summary>
/// <param name="Source">Where it was written (<c>tgwatch.json: </c>, <c>environment variable …: </c>), or empty.</param>
/// <param name="Old">Its old name (Section:Key).</param>
/// <param name="New">Its name now.</param>
/// <param name="Value">Its value, as the new key reads it.</param>
internal sealed record RenamedSetting(string Source, string Old, string New, string? Value);
