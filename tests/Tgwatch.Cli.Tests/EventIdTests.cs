using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Tgwatch.Cli.Tests;

/// <summary>Event ids are what users filter logs on (ARCHITECTURE §4): each one names one kind of line across the program.</summary>
public sealed class EventIdTests
{
    [Fact]
    public void EveryEventId_NamesOneKindOfLine_AcrossAllOfTgwatchsAssemblies()
    {
        var program = typeof(ExitCodes).Assembly;
        var assemblies = program.GetReferencedAssemblies().Where(a => a.Name!.StartsWith("Tgwatch.", StringComparison.Ordinal)).Select(Assembly.Load).Append(program).ToList();
        Assert.True(assemblies.Count >= 6, $"only {assemblies.Count} assemblies found");

        var lines = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: $"{m.DeclaringType!.FullName}.{m.Name}", Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .ToList();
        Assert.True(lines.Count > 50, $"only {lines.Count} log lines found");

        var shared = lines.GroupBy(x => x.Attribute!.EventId)
            .Where(g => g.Select(x => x.Attribute!.Message).Distinct().Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => x.Method))}");
        Assert.Empty(shared);
    }
}
