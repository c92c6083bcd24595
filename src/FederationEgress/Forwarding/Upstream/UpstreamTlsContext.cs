using System.Net;

namespace FederationEgress.Forwarding.Upstream;

/// <summary>What a certificate is checked against: the expected name and the address actually connected.</summary>
/// <param name="TargetHost">The name from the Host header (port removed): a DNS name, or an IP literal (no SNI sent).</param>
/// <param name="RemoteEndPoint">The IP and port the TLS connection runs to, when known.</param>
internal readonly record struct UpstreamTlsContext(string TargetHost, IPEndPoint? RemoteEndPoint);
