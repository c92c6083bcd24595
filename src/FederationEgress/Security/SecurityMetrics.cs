using FederationEgress.Diagnostics;

namespace FederationEgress.Security;

/// <summary>Security denials, recorded through <see cref="EgressMetrics"/>.</summary>
internal static class SecurityMetrics
{
    /// <summary>Tag value: a dialled IP address was denied.</summary>
    public const string Address = EgressTagValues.PolicyForbiddenRange;

    /// <summary>Tag value: a destination server name was denied.</summary>
    public const string Destination = EgressTagValues.PolicyDestinationDenied;

    /// <summary>Tag value: a dialled endpoint was one of the proxy's own listeners (request loop).</summary>
    public const string Loop = "loop";

    /// <summary>Tag value: a client failed authentication or came from a forbidden range.</summary>
    public const string Client = EgressTagValues.PolicyClientDenied;

    /// <summary>Counts one denial (<c>egress.policy.denials</c>, tag <c>matrix.policy.reason</c>).</summary>
    public static void RecordDenial(string reason) => EgressMetrics.Default.PolicyDenied(reason);
}
