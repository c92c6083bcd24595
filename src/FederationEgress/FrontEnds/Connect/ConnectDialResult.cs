using System.Net;
using System.Net.Sockets;
using FederationEgress.Errors;

namespace FederationEgress.FrontEnds.Connect;

/// <summary>Either a connected socket to the destination, or why none could be opened.</summary>
/// <param name="Socket">The connected socket; null on failure.</param>
/// <param name="RemoteEndPoint">The address the socket is connected to; null on failure.</param>
/// <param name="Error">Why no tunnel can be opened (what the client is told); null on success.</param>
/// <param name="ConnectionFailure">
/// The last failed TCP connect (refused, unreachable, timed out) when at least one address was
/// dialled and none connected: what the per-destination back-off counts. Null when nothing was
/// dialled (DNS failure, every address denied by policy or the loop guard) or a dial succeeded.
/// </param>
internal sealed record ConnectDialResult(Socket? Socket, IPEndPoint? RemoteEndPoint, EgressError? Error, EgressError? ConnectionFailure = null);
