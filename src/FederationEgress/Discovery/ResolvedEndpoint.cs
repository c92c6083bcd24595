using System.Net;

namespace FederationEgress.Discovery;

/// <summary>
/// One address to dial, in failover order.
/// </summary>
/// <param name="EndPoint">The IP and port to connect to.</param>
/// <param name="Target">The name this address came from (SRV target or hostname), for traces; never used for Host or SNI.</param>
public sealed record ResolvedEndpoint(IPEndPoint EndPoint, string Target)
{
    public override string ToString() => EndPoint.ToString();
}
