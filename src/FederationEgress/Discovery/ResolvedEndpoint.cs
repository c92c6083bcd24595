using System.Net;

namespace FederationEgress.Discovery;

/// <summary>
/// One address to dial, in failover order: an <see cref="IPEndPoint"/> that also remembers the name
/// it came from. It is the endpoint itself rather than a wrapper around one because every cached
/// destination holds at least one, and a second object would cost 32 bytes each. Equality is the
/// endpoint's (address and port); <see cref="Target"/> is informational.
/// </summary>
public sealed class ResolvedEndpoint : IPEndPoint
{
    /// <param name="endPoint">The IP and port to connect to.</param>
    /// <param name="target">The name this address came from (SRV target or hostname), for traces; never used for Host or SNI.</param>
    public ResolvedEndpoint(IPEndPoint endPoint, string target)
        : base(endPoint.Address, endPoint.Port)
    {
        ArgumentNullException.ThrowIfNull(target);
        Target = target;
    }

    /// <summary>The IP and port to connect to (this instance).</summary>
    public IPEndPoint EndPoint => this;

    /// <summary>The name this address came from (SRV target or hostname), for traces; never used for Host or SNI.</summary>
    public string Target { get; }
}
