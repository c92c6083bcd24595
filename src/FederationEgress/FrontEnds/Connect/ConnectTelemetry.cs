using System.Diagnostics.Metrics;
using FederationEgress.Diagnostics;

namespace FederationEgress.FrontEnds.Connect;

/// <summary>Instruments of the CONNECT front end (on <see cref="EgressTelemetry.Meter"/>).</summary>
internal static class ConnectTelemetry
{
    /// <summary>Span name, one per CONNECT request.</summary>
    public const string ActivityName = "connect.tunnel";

    /// <summary>Outcome of a tunnel that was established and later closed.</summary>
    public const string OutcomeCompleted = "completed";

    /// <summary>CONNECT requests by outcome (<c>completed</c> or an error type such as <c>address_denied</c>).</summary>
    public static readonly Counter<long> Tunnels = EgressTelemetry.Meter.CreateCounter<long>(
        "egress.tunnels", unit: "{tunnel}", description: "CONNECT requests handled, by outcome.");

    /// <summary>Bytes relayed, by direction (<c>upstream</c>: client to destination; <c>downstream</c>: back).</summary>
    public static readonly Counter<long> Bytes = EgressTelemetry.Meter.CreateCounter<long>(
        "egress.tunnel.bytes", unit: "By", description: "Bytes relayed through CONNECT tunnels, by direction.");

    /// <summary>Lifetime of established tunnels.</summary>
    public static readonly Histogram<double> Duration = EgressTelemetry.Meter.CreateHistogram<double>(
        "egress.tunnel.duration", unit: "s", description: "Duration of established CONNECT tunnels.");
}
