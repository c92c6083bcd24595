using System.Net;
using System.Net.Sockets;

namespace FederationEgress.Forwarding.Upstream;

/// <summary>
/// Opens the TCP connection to one endpoint that already passed the address policy and the loop
/// check. A seam so tests can prove that no socket was ever opened to an address (and so a broken
/// policy under test cannot send traffic off the machine).
/// </summary>
internal interface IUpstreamSocketDialer
{
    /// <summary>Connects to <paramref name="endpoint"/>; throws <see cref="SocketException"/> on failure.</summary>
    ValueTask<Socket> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken);
}
