using System.Diagnostics.Metrics;
using FederationEgress.Diagnostics;

namespace FederationEgress.Security;

/// <summary>Security instruments on <see cref="EgressTelemetry.Meter"/>.</summary>
internal static class SecurityMetrics
{
    /// <summary>Tag value: a dialled IP address was denied.</summary>
    public const string Address = "address";

    /// <summary>Tag value: a destination server name was denied.</summary>
    public const string Destination = "destination";

    /// <summary>Tag value: a dialled endpoint was one of the proxy's own listeners (request loop).</summary>
    public const string Loop = "loop";

    /// <summary>Tag value: a client failed authentication or came from a forbidden range.</summary>
    public const string Client = "client";

    private static readonly Counter<long> Denials = EgressTelemetry.Meter.CreateCounter<long>(
        "egress.policy.denials",
        unit: "{denial}",
        description: "Requests or connections refused by a security policy, by reason (address, destination, client, loop).");

    /// <summary>Counts one denial with tag <c>reason</c>.</summary>
    public static void RecordDenial(string reason) => Denials.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
