using System.Diagnostics.Metrics;

namespace Tgwatch.Cli.Run;

/// <summary>Listens to one histogram of the run's meter (the pipeline's lags), for a reader in this process: the heartbeat line, the live answers.</summary>
internal static class HistogramListener
{
    /// <summary>A started listener handing each value recorded on <paramref name="histogram"/> to <paramref name="take"/>; dispose it to stop.</summary>
    public static MeterListener Start(Histogram<double> histogram, Action<double> take)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument, histogram)) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => take(value));
        listener.Start();
        return listener;
    }
}
