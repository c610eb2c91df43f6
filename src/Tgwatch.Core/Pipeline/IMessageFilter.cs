using Tgwatch.Messages;

namespace Tgwatch.Pipeline;

/// <summary>Decides whether a message goes on to the handlers and sinks; all filters must accept it.</summary>
public interface IMessageFilter
{
    /// <summary>True to keep the message.</summary>
    bool Accepts(TgMessage message);
}
