using FederationEgress.Diagnostics;

namespace FederationEgress.FrontEnds.Connect;

/// <summary>Span names of the CONNECT front end (metrics go through <see cref="EgressMetrics"/>).</summary>
internal static class ConnectTelemetry
{
    /// <summary>Span name, one per CONNECT request.</summary>
    public const string ActivityName = "connect.tunnel";

    /// <summary>Outcome of a tunnel that was established and later closed.</summary>
    public const string OutcomeCompleted = "completed";
}
