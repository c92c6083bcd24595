using FederationEgress.ServerNames;

namespace FederationEgress.Forwarding;

/// <summary>A parsed path-mode request target: the destination and the bytes to forward.</summary>
/// <param name="ServerName">The destination server name from the first segment.</param>
/// <param name="PathAndQuery">Everything after the server name, starting with '/', exactly as received.</param>
public readonly record struct RequestTarget(ServerName ServerName, string PathAndQuery);
