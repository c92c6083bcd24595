using System.Net;
using System.Net.Sockets;
using FederationEgress.Errors;

namespace FederationEgress.FrontEnds.Connect;

/// <summary>Either a connected socket to the destination, or why none could be opened.</summary>
internal sealed record ConnectDialResult(Socket? Socket, IPEndPoint? RemoteEndPoint, EgressError? Error);
