using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FederationEgress.Diagnostics;

/// <summary>
/// The product's ActivitySource and Meter. Every folder emits through these so one OpenTelemetry
/// registration (by <see cref="Name"/>) captures all spans and instruments.
/// </summary>
public static class EgressTelemetry
{
    /// <summary>ActivitySource and Meter name.</summary>
    public const string Name = "FederationEgress";

    /// <summary>Spans: resolution, discovery steps, DNS queries, well-known fetches, tunnels.</summary>
    public static readonly ActivitySource ActivitySource = new(Name, typeof(EgressTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Metrics: see docs/observability.md for the instrument table.</summary>
    public static readonly Meter Meter = new(Name, typeof(EgressTelemetry).Assembly.GetName().Version?.ToString());
}
