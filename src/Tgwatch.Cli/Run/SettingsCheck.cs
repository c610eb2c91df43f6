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
/// setting, a section where a value belongs (or the other way round), a value of the wrong type. The problem is one line that
/// names the source (file, environment variable, flag) and the key, never the value (it may be a secret).
/// </summary>
internal static class SettingsCheck
{
    /// <summary>Throws a <see cref="CliException"/> (exit code 2) for the first key of <paramref name="configuration"/> that does not fit.</summary>
    /// <param name="configuration">The sources.</param>
    /// <param name="file">The configuration file as the user gave it (its source is named so).</param>
    public static void Check(IConfigurationRoot configuration, string? file)
    {
        foreach (var provider in configuration.Providers)
            if (Problem(provider, file, typeof(RunSettings), null) is { } problem) throw new CliException(ExitCodes.Usage, problem);
    }

    private static string? Problem(IConfigurationProvider source, string? file, Type type, string? parent)
    {
        foreach (var child in source.GetChildKeys([], parent).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var path = parent is null ? child : ConfigurationPath.Combine(parent, child);
            var member = MemberType(type, child);
            if (member is null)
                return Source(source, file, path) + (parent is null ? $"unknown key '{child}'" : $"unknown key '{child}' in {parent}");
            var hasValue = source.TryGet(path, out var value) && !string.IsNullOrEmpty(value);
            var hasChildren = source.GetChildKeys([], path).Any();
            if (IsValue(member))
            {
                if (hasChildren) return $"{Source(source, file, path)}{path}: expected {Expected(member)}, not a section";
                if (hasValue && !Converts(member, value!)) return $"{Source(source, file, path)}{path}: expected {Expected(member)}";
            }
            else
            {
                if (hasValue) return $"{Source(source, file, path)}{path}: expected {(IsList(member) ? "a list" : "a section of settings")}, not a single value";
                if (Problem(source, file, member, path) is { } problem) return problem;
            }
        }
        return null;
    }

    /// <summary>Where a key comes from, as the user wrote it.</summary>
    private static string Source(IConfigurationProvider source, string? file, string path) => source switch
    {
        JsonConfigurationProvider => $"configuration file {file}: ",
        EnvironmentVariablesConfigurationProvider => $"environment variable {FirstVariable(source, path)}: ",
        _ => "",
    };

    /// <summary>The environment variable (<c>TGWATCH__SECTION__KEY</c>) of the first value at or under <paramref name="path"/>.</summary>
    private static string FirstVariable(IConfigurationProvider source, string path)
    {
        var leaf = path;
        while (source.GetChildKeys([], leaf).FirstOrDefault() is { } child) leaf = ConfigurationPath.Combine(leaf, child);
        return "TGWATCH__" + leaf.Replace(ConfigurationPath.KeyDelimiter, "__", StringComparison.Ordinal);
    }

    /// <summary>The type a key of <paramref name="type"/> holds, or null when it is none of its keys.</summary>
    private static Type? MemberType(Type type, string key)
    {
        if (IsList(type))
            return int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? type.GetGenericArguments()[0] : null;
        var property = type.GetProperty(key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is { CanWrite: true } && property.SetMethod!.IsPublic ? property.PropertyType : null;
    }

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
