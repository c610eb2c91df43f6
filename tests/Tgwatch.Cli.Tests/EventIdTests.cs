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

        // Lines written with an EventId of their own (a static field), not through a [LoggerMessage] method: the noise
        // gate's summaries, for one.
        var fields = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(f => f.FieldType == typeof(EventId))
            .Select(f => (Method: $"{f.DeclaringType!.FullName}.{f.Name}", Id: ((EventId)f.GetValue(null)!).Id, Message: $"field {f.DeclaringType!.FullName}.{f.Name}"))
            .ToList();
        Assert.NotEmpty(fields);

        var shared = lines.Select(x => (x.Method, Id: x.Attribute!.EventId, Message: x.Attribute!.Message)).Concat(fields)
            .GroupBy(x => x.Id)
            .Where(g => g.Select(x => x.Message).Distinct().Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => x.Method))}");
        Assert.Empty(shared);
    }
}
