using System.Net;
using System.Net.Sockets;

namespace FederationEgress.FrontEnds.Connect;

/// <summary>A parsed CONNECT request head.</summary>
/// <param name="Method">The request method (anything but CONNECT is refused with 405).</param>
/// <param name="Host">Destination host: a lower-case DNS name or an IP literal (no brackets).</param>
/// <param name="Port">Destination port.</param>
/// <param name="Address">The destination when <paramref name="Host"/> is an IP literal.</param>
/// <param name="ProxyAuthorization">Every Proxy-Authorization value, in order.</param>
internal sealed record ConnectRequest(string Method, string Host, int Port, IPAddress? Address, IReadOnlyList<string> ProxyAuthorization)
{
    /// <summary>
    /// The normalized <c>host:port</c> (lower-case name without trailing dot, canonical IP text,
    /// IPv6 bracketed): every spelling of one target maps to one per-destination back-off entry.
    /// </summary>
    public string Authority => Address is { AddressFamily: AddressFamily.InterNetworkV6 } ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
