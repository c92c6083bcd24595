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

        // Every documented name exists once: those EgressMetrics owns and Resilience's egress.backoff.*
        // (created once per Meter however many back-off instances the process builds).
        var documented = typeof(EgressMetricNames).GetFields()
            .Concat(typeof(FederationEgress.Resilience.BackoffMetricNames).GetFields())
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet();
        Assert.All(published.Where(i => documented.Contains(i.Name)).GroupBy(i => i.Name), g => Assert.Single(g.Distinct()));
        Assert.Subset(published.Select(i => i.Name).ToHashSet(), documented);
        Assert.Same(EgressMetrics.Default, app.Services.GetRequiredService<EgressMetrics>());
    }
}
