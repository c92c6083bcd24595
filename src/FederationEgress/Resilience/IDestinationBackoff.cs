using System.Diagnostics.CodeAnalysis;
using FederationEgress.Errors;

namespace FederationEgress.Resilience;

/// <summary>
/// Per-destination back-off used by the forwarder (keyed by server name) and the CONNECT front end
/// (keyed by the target's normalized <c>host:port</c>): ask before dialling, report how connection
/// establishment went. Only connection-establishment failures (every endpoint refused,
/// unreachable, timed out or failed TLS) count; any response from the destination, whatever its
/// status, resets it.
/// </summary>
public interface IDestinationBackoff
{
    /// <summary>
    /// Whether a request to <paramref name="serverName"/> may dial now. False while the destination
    /// is backed off, with a <see cref="EgressErrorKind.DestinationBackoff"/> error carrying Retry-After.
    /// Allocation-free for destinations with no recorded failure.
    /// </summary>
    bool TryAdmit(string serverName, out BackoffAdmission admission, [NotNullWhen(false)] out EgressError? rejection);

    /// <summary>The destination answered (response headers arrived): forget its failures.</summary>
    void ReportResponse(in BackoffAdmission admission);

    /// <summary>
    /// A connection could not be established to any endpoint. Errors other than connect/TLS
    /// failures and timeouts (e.g. address policy denials) are ignored.
    /// </summary>
    void ReportConnectionFailure(in BackoffAdmission admission, EgressError error);
}
