using System.Net;

namespace FederationEgress.Security;

/// <summary>
/// Decides whether the proxy may open a socket to an IP address. Checked on the address actually
/// dialled (connect time), for every socket: forwarding, well-known fetches, redirects, CONNECT.
/// </summary>
public interface IEgressAddressPolicy
{
    /// <summary>
    /// True when <paramref name="address"/> may be dialled; otherwise <paramref name="reason"/>
    /// names the rule that denied it (e.g. "127.0.0.0/8 (loopback) is denied").
    /// </summary>
    bool IsAllowed(IPAddress address, out string reason);
}
