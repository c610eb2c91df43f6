using Microsoft.Extensions.Logging;
using Tgwatch.Messages;

namespace Tgwatch.Pipeline;

/// <summary>How filters are asked, wherever they are (the run's, a sink's route, a handler's route).</summary>
public static class MessageFilters
{
    /// <summary>
    /// Whether every filter keeps <paramref name="message"/>. A filter that fails (a defect, a pattern that ran out of time)
    /// keeps it, said on <paramref name="logger"/>: a message is never lost to a filter that could not decide.
    /// </summary>
    public static bool KeepAll(IReadOnlyList<IMessageFilter> filters, TgMessage message, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(logger);
        foreach (var filter in filters)
        {
            try
            {
                if (!filter.Accepts(message)) return false;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.FilterFailed(logger, filter.GetType().Name, message.Key, e);
            }
        }
        return true;
    }
}
