using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace FederationEgress.Tests.Diagnostics;

/// <summary>
/// Records every measurement of the instruments of one <see cref="Meter"/> instance (tests give
/// <see cref="FederationEgress.Diagnostics.EgressMetrics"/> a private meter, so parallel tests never mix).
/// </summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measurement> _measurements = new();

    public MetricRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    public IReadOnlyList<Measurement> Measurements => _measurements.ToArray();

    /// <summary>Reads the observable instruments now (their values are only measured on collection).</summary>
    public void RecordObservables() => _listener.RecordObservableInstruments();

    /// <summary>Measurements of the instrument <paramref name="name"/>.</summary>
    public IReadOnlyList<Measurement> Of(string name) => _measurements.Where(m => m.Instrument.Name == name).ToArray();

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Enqueue(new Measurement(instrument, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    internal sealed record Measurement(Instrument Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);
}
