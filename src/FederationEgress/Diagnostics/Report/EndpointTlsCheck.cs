namespace FederationEgress.Diagnostics.Report;

/// <summary>
/// A connection and TLS handshake to one endpoint, through the same address policy and TLS policy
/// as forwarded requests. No request is sent.
/// </summary>
public sealed record EndpointTlsCheck
{
    /// <summary>"ip:port" dialled.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The name the certificate must be valid for (the TLS name, or the IP for IP literals).</summary>
    public required string TlsName { get; init; }

    /// <summary>True when SNI was sent (never for IP literals).</summary>
    public bool Sni { get; init; }

    /// <summary>"ok" (handshake done, certificate valid), "invalid_certificate", "address_denied", "connect_failed", "tls_failed" or "timeout".</summary>
    public required string Outcome { get; init; }

    /// <summary>Why the address policy denied the endpoint, or why connecting / the handshake failed.</summary>
    public string? Error { get; init; }

    /// <summary>Whether the certificate validates for <see cref="TlsName"/> under the TLS policy (absent when no certificate was seen).</summary>
    public bool? CertificateValid { get; init; }

    /// <summary>Why the certificate does not validate.</summary>
    public string? ValidationError { get; init; }

    /// <summary>The peer's leaf certificate.</summary>
    public CertificateSummary? Certificate { get; init; }

    /// <summary>Negotiated protocol, e.g. "TLS 1.3".</summary>
    public string? Protocol { get; init; }

    /// <summary>Negotiated ALPN protocol ("h2", "http/1.1"), absent when none was agreed.</summary>
    public string? Alpn { get; init; }

    /// <summary>TCP connect time in milliseconds.</summary>
    public double? ConnectMs { get; init; }

    /// <summary>TLS handshake time in milliseconds.</summary>
    public double? HandshakeMs { get; init; }
}
