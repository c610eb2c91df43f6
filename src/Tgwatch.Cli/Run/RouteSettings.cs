using Tgwatch.Pipeline;
using Tgwatch.Pipeline.Filters;

namespace Tgwatch.Cli.Run;

/// <summary>
/// The filters of a route: which messages a sink or a handler takes (all of them when none is set). A message its route does
/// not take is done for that sink or handler as it is (the checkpoint moves).
/// </summary>
internal class RouteSettings
{
    /// <summary>Only messages from these chats (id or @username).</summary>
    public List<string> Chats { get; set; } = [];

    /// <summary>Only messages from these senders (id or @username).</summary>
    public List<string> Senders { get; set; } = [];

    /// <summary>Only messages whose text (or caption) matches this regular expression (case-insensitive unless it says otherwise).</summary>
    public string? Text { get; set; }

    /// <summary>Only these kinds: new, edit, delete.</summary>
    public List<string> Kinds { get; set; } = [];

    /// <summary>The filters set; each value that cannot be read is a problem of its key (<paramref name="key"/><c>.Chats</c>, …).</summary>
    public List<IMessageFilter> Filters(string key, List<(string Key, string Problem)> problems)
    {
        var filters = new List<IMessageFilter>();
        Add(nameof(Chats), Chats.Count > 0 ? () => new ChatFilter(Chats) : null);
        Add(nameof(Senders), Senders.Count > 0 ? () => new SenderFilter(Senders) : null);
        Add(nameof(Text), !string.IsNullOrEmpty(Text) ? () => new TextFilter(Text) : null);
        Add(nameof(Kinds), Kinds.Count > 0 ? () => KindFilter.Parse(Kinds) : null);
        return filters;

        void Add(string name, Func<IMessageFilter>? make)
        {
            if (make is null) return;
            try { filters.Add(make()); }
            catch (ArgumentException e) { problems.Add(($"{key}.{name}", e.Message)); }
        }
    }
}

/// <summary>An entry of <c>Sinks</c>: a sink (<c>jsonl:PATH</c>, …) and the messages it takes. A string alone is the sink, taking every message.</summary>
[SettingShorthand(nameof(Sink))]
internal sealed class SinkRoute : RouteSettings
{
    /// <summary>The sink: console, jsonl:PATH, sqlite:PATH, webhook:URL.</summary>
    public string? Sink { get; set; }
}

/// <summary>A section of settings that may be written as one value: that value is its setting <see cref="Property"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class SettingShorthandAttribute(string property) : Attribute
{
    public string Property { get; } = property;
}
