using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using FederationEgress.Diagnostics;

namespace FederationEgress.Resilience;

/// <summary>
/// The back-off's instruments, created once per <see cref="Meter"/> however many
/// <see cref="DestinationBackoff"/> instances a process builds (tests build many apps): one series
/// per name, and the gauge reads every live instance through weak registrations, as the cache-size
/// instruments of <see cref="EgressMetrics"/> do, so a disposed app's back-off is neither reported
/// nor kept alive by the meter.
/// </summary>
internal sealed class BackoffMetrics
{
    private static readonly ConditionalWeakTable<Meter, BackoffMetrics> PerMeter = new();

    private readonly Counter<long> _rejections;
    private readonly CacheSizeSources _active = new();

    private BackoffMetrics(Meter meter)
    {
        _rejections = meter.CreateCounter<long>(BackoffMetricNames.Rejections, "{request}", "Requests refused with 503 because their destination is backed off.");
        meter.CreateObservableGauge(BackoffMetricNames.Active, _active.Observe, "{destination}", "Destinations currently backed off after repeated connection failures.");
    }

    /// <summary>The instruments on <paramref name="meter"/>, created on first use.</summary>
    public static BackoffMetrics For(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);

        // Not ConditionalWeakTable.GetValue: under a race it may run the factory twice, and each run
        // creates instruments on the meter, which would then report every series twice.
        lock (PerMeter)
        {
            if (!PerMeter.TryGetValue(meter, out var metrics))
            {
                metrics = new BackoffMetrics(meter);
                PerMeter.Add(meter, metrics);
            }

            return metrics;
        }
    }

    /// <summary>Counts one request refused because its destination is backed off.</summary>
    public void Rejected() => _rejections.Add(1);

    /// <summary>
    /// Adds a back-off whose backed-off destinations the gauge reads at each collection. Held
    /// weakly: the caller keeps <paramref name="count"/> alive for as long as it should be reported.
    /// </summary>
    public void RegisterActive(Func<long> count) => _active.Register(count);
}
