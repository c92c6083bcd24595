using System.Diagnostics.Metrics;
using FederationEgress.Diagnostics;

namespace FederationEgress.Tests.Security;

/// <summary>
/// Records <c>egress.policy.denials</c> measurements made by the current async flow only, so tests
/// running in parallel do not see each other's denials.
/// </summary>
internal sealed class DenialMetricRecorder : IDisposable
{
    private static readonly AsyncLocal<DenialMetricRecorder?> Current = new();
    private readonly MeterListener _listener = new();
    private readonly List<string?> _reasons = [];

    public DenialMetricRecorder()
    {
        Current.Value = this;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EgressTelemetry.Name && instrument.Name == "egress.policy.denials")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (Current.Value is { } recorder && ReferenceEquals(recorder, this))
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "matrix.policy.reason")
                    {
                        lock (_reasons)
                        {
                            _reasons.Add(tag.Value as string);
                        }
                    }
                }
            }
        });
        _listener.Start();
    }

    public IReadOnlyList<string?> Reasons
    {
        get
        {
            lock (_reasons)
            {
                return [.. _reasons];
            }
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        Current.Value = null;
    }
}
