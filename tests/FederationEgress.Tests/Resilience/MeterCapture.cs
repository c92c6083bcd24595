using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace FederationEgress.Tests.Resilience;

/// <summary>Captures the measurements of one private <see cref="Meter"/>, observable instruments on demand.</summary>
internal sealed class MeterCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, double Value)> _values = new();

    public MeterCapture(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, _, _) => _values.Enqueue((i.Name, v)));
        _listener.SetMeasurementEventCallback<int>((i, v, _, _) => _values.Enqueue((i.Name, v)));
        _listener.Start();
    }

    /// <summary>Values recorded for instrument <paramref name="name"/>, in order.</summary>
    public IReadOnlyList<double> Of(string name) => _values.Where(v => v.Name == name).Select(v => v.Value).ToArray();

    /// <summary>Reads the observable instruments now.</summary>
    public void RecordObservable() => _listener.RecordObservableInstruments();

    public void Dispose() => _listener.Dispose();
}
