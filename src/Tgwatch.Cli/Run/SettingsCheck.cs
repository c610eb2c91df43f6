using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Tgwatch.Cli.Hosting;

namespace Tgwatch.Cli.Run;

/// <summary>
/// Checks every key of every configuration source against <see cref="RunSettings"/> before it is bound: a key that is not a
/// setting, a section where a value belongs (or the other way round), a value of the wrong type. Each problem is one line that
/// names the source (file, environment variable, flag) and the key as the user wrote it, never the value (it may be a secret);
/// an unknown key says which setting it resembles, if one is close. What fits is bound; the values' own rules are checked
/// after (<see cref="RunSettingsReader"/>), and their problems are named the same way (<see cref="Where"/>).
/// </summary>
internal static class SettingsCheck
{
    private const string EnvironmentPrefix = "TGWATCH__";

    /// <summary>One line for each key of <paramref name="configuration"/> that does not fit; <paramref name="fitting"/> holds the keys that do.</summary>
    /// <param name="configuration">The sources.</param>
    /// <param name="file">The configuration file as the user gave it (its source is named so).</param>
    /// <param name="fitting">The sources, in the same order, with only the keys that fit: what can be bound.</param>
    public static List<string> Check(IConfigurationRoot configuration, string? file, out IConfigurationRoot fitting)
    {
        var problems = new List<string>();
        var builder = new ConfigurationBuilder();
        foreach (var source in configuration.Providers)
        {
            var fits = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            problems.AddRange(Problems(source, file, typeof(RunSettings), null, fits));
            builder.AddInMemoryCollection(fits);
        }
        fitting = builder.Build();
        return problems;
    }

    /// <summary>
    /// Where the value of <paramref name="key"/> (a setting, or a list) came from, as a line's start: <c>tgwatch.json: </c>,
    /// <c>environment variable TGWATCH__BOTAPI__URL: </c>, or nothing for a flag or a default.
    /// </summary>
    public static string Where(IConfigurationRoot configuration, string? file, string key)
    {
        foreach (var source in configuration.Providers.Reverse())
            if (Spelt(source, key) is { } spelt) return Source(source, file, spelt);
        return "";
    }

    /// <summary>
    /// Where the value of <paramref name="key"/> came from (as <see cref="Where"/>) and the name it was written under there:
    /// <paramref name="key"/>, or its old name when the source that gave it used that (<see cref="RenamedSettings"/>).
    /// </summary>
    public static (string Where, string Key) Named(IConfigurationRoot configuration, string? file, string key)
    {
        foreach (var source in configuration.Providers.Reverse())
        {
            if (Spelt(source, key) is { } spelt) return (Source(source, file, spelt), key);
            foreach (var old in RenamedSettings.OldNames(key))
                if (Spelt(source, old) is { } oldSpelt) return (Source(source, file, oldSpelt), old);
        }
        return ("", key);
    }

    /// <summary><paramref name="key"/> as <paramref name="source"/> spells it, when it has a value or items there; else null.</summary>
    private static string? Spelt(IConfigurationProvider source, string key)
    {
        string? path = null;
        foreach (var part in key.Split(ConfigurationPath.KeyDelimiter))
        {
            var child = source.GetChildKeys([], path).FirstOrDefault(k => string.Equals(k, part, StringComparison.OrdinalIgnoreCase));
            if (child is null) return null;
            path = path is null ? child : ConfigurationPath.Combine(path, child);
        }
        return path;
    }

    private static IEnumerable<string> Problems(IConfigurationProvider source, string? file, Type type, string? parent, Dictionary<string, string?> fits)
    {
        foreach (var child in source.GetChildKeys([], parent).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var path = parent is null ? child : ConfigurationPath.Combine(parent, child);
            if ((Member(type, child) ?? RenamedSettings.Member(path)) is not { } member)
            {
                foreach (var line in Unknown(source, file, path)) yield return line;
                continue;
            }
            var hasValue = source.TryGet(path, out var value) && !string.IsNullOrEmpty(value);
            var hasChildren = source.GetChildKeys([], path).Any();
            if (IsValue(member.Type))
            {
                if (hasChildren) yield return $"{Source(source, file, path)}{path}: expected {Expected(member.Type)}, not a section";
                else if (hasValue && !Converts(member.Type, value!)) yield return $"{Source(source, file, path)}{path}: expected {Expected(member.Type)}";
                else if (value is not null) fits[path] = value;
            }
            else if (hasValue && !hasChildren && member.Type.GetCustomAttribute<SettingShorthandAttribute>() is { } shorthand)
                fits[ConfigurationPath.Combine(path, shorthand.Property)] = value; // "jsonl:out.jsonl" for {"Sink": "jsonl:out.jsonl"}
            else if (hasValue) yield return $"{Source(source, file, path)}{path}: expected {(IsList(member.Type) ? "a list" : "a section of settings")}, not a single value";
            else foreach (var problem in Problems(source, file, member.Type, path, fits)) yield return problem;
        }
    }

    /// <summary>
    /// The lines for <paramref name="path"/>, whose last key is no setting: the key as written in a file, or each environment
    /// variable under it, with the setting (or variable) it resembles.
    /// </summary>
    private static IEnumerable<string> Unknown(IConfigurationProvider source, string? file, string path)
    {
        if (source is EnvironmentVariablesConfigurationProvider)
        {
            foreach (var leaf in Leaves(source, path))
            {
                var meant = Resolve(leaf);
                yield return $"environment variable {Variable(leaf)}: unknown setting{(meant is null ? "" : $" (did you mean {Variable(meant).ToUpperInvariant()}?)")}";
            }
        }
        else
        {
            var meant = Resolve(path);
            yield return $"{Source(source, file, path)}unknown setting {path}{(meant is null ? "" : $" (did you mean {meant}?)")}";
        }
    }

    /// <summary>
    /// <paramref name="path"/> with each key spelt as the setting it names, an unknown key replaced by the one it resembles;
    /// null when a key resembles none.
    /// </summary>
    private static string? Resolve(string path)
    {
        var type = typeof(RunSettings);
        var keys = new List<string>();
        foreach (var key in path.Split(ConfigurationPath.KeyDelimiter))
        {
            var member = Member(type, key);
            if (member is null && Suggestions.Closest(key, KnownKeys(type)) is { } closest) member = Member(type, closest);
            if (member is null) return null;
            keys.Add(member.Value.Name);
            type = member.Value.Type;
        }
        return ConfigurationPath.Combine(keys);
    }

    /// <summary>Where a key comes from, as the user wrote it.</summary>
    internal static string Source(IConfigurationProvider source, string? file, string path) => source switch
    {
        JsonConfigurationProvider => $"{file}: ",
        EnvironmentVariablesConfigurationProvider => $"environment variable {Variable(Leaves(source, path).First())}: ",
        _ => "",
    };

    /// <summary>The keys that have a value at or under <paramref name="path"/> (the environment variables that set it).</summary>
    private static IEnumerable<string> Leaves(IConfigurationProvider source, string path)
    {
        var children = source.GetChildKeys([], path).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (children.Count == 0) return [path];
        return children.SelectMany(child => Leaves(source, ConfigurationPath.Combine(path, child)));
    }

    /// <summary>The environment variable (<c>TGWATCH__SECTION__KEY</c>) of a key.</summary>
    private static string Variable(string path) => EnvironmentPrefix + path.Replace(ConfigurationPath.KeyDelimiter, "__", StringComparison.Ordinal);

    /// <summary>The setting <paramref name="key"/> of <paramref name="type"/> names (its type and its own spelling), or null when it is none.</summary>
    private static (Type Type, string Name)? Member(Type type, string key)
    {
        if (IsList(type))
            return int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? (type.GetGenericArguments()[0], key) : null;
        var property = type.GetProperty(key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is not null && IsSetting(property) ? (property.PropertyType, property.Name) : null;
    }

    /// <summary>The keys of <paramref name="type"/>'s settings (none for a list).</summary>
    private static IEnumerable<string> KnownKeys(Type type) => IsList(type) ? []
        : type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(IsSetting).Select(p => p.Name);

    private static bool IsSetting(PropertyInfo property) => property is { CanWrite: true } && property.SetMethod!.IsPublic;

    private static bool IsList(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>);

    private static bool IsValue(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsValueType || t == typeof(string) || t == typeof(Uri);
    }

    private static bool Converts(Type type, string value)
    {
        try
        {
            TypeDescriptor.GetConverter(Nullable.GetUnderlyingType(type) ?? type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException or OverflowException
            || e.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>What a value of <paramref name="type"/> looks like, in words.</summary>
    private static string Expected(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(int)) return "a whole number (up to 2147483647)";
        if (t == typeof(long)) return "a whole number";
        if (t == typeof(bool)) return "true or false";
        if (t == typeof(double) || t == typeof(decimal)) return "a number";
        if (t == typeof(TimeSpan)) return "a duration written hh:mm:ss, such as 00:00:30";
        if (t.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(t))}";
        return "a value";
    }
}
