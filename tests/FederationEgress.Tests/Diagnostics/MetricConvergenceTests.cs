using System.Diagnostics.Metrics;
using FederationEgress.Diagnostics;
using FederationEgress.Discovery;
using FederationEgress.Dns;
using FederationEgress.Security;
using Microsoft.Extensions.DependencyInjection;

namespace FederationEgress.Tests.Diagnostics;

/// <summary>Every area records through <see cref="EgressMetrics"/>: one instrument per documented name on the product meter.</summary>
public sealed class MetricConvergenceTests
{
    [Fact]
    public async Task App_EveryInstrumentOnTheProductMeter_IsCreatedOnce()
    {
        // Build (not start) the real app and touch each area, so every static instrument would exist.
        await using var app = Program.BuildApp(["--Dns:Servers:0=127.0.0.1:1"]);
        _ = app.Services.GetRequiredService<IServerResolver>();
        _ = app.Services.GetRequiredService<IDnsResolver>();
        _ = app.Services.GetRequiredService<IEgressAddressPolicy>();
        _ = app.Services.GetRequiredService<EgressMetrics>();

        var published = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, EgressTelemetry.Meter))
                {
                    lock (published)
                    {
                        published.Add(instrument);
                    }
                }
            },
        };
        listener.Start();

        // The names EgressMetrics owns each exist once. (Resilience's egress.backoff.* instruments
        // are created per DestinationBackoff instance and are outside this convergence.)
        var documented = typeof(EgressMetricNames).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToHashSet();
        Assert.All(published.Where(i => documented.Contains(i.Name)).GroupBy(i => i.Name), g => Assert.Single(g.Distinct()));
        Assert.Subset(published.Select(i => i.Name).ToHashSet(), documented);
        Assert.Same(EgressMetrics.Default, app.Services.GetRequiredService<EgressMetrics>());
    }
}
