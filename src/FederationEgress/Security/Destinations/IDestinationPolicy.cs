using FederationEgress.ServerNames;

namespace FederationEgress.Security.Destinations;

/// <summary>
/// The operator's destination allow/deny lists (like Synapse's <c>federation_domain_whitelist</c>),
/// applied to the server name from the request before any discovery or network I/O.
/// </summary>
public interface IDestinationPolicy
{
    /// <summary>True when the proxy may forward to <paramref name="serverName"/>; otherwise <paramref name="reason"/> says which rule refused it.</summary>
    bool IsAllowed(ServerName serverName, out string reason);
}
