namespace FederationEgress.Errors;

/// <summary>
/// Every way a request can fail in the proxy. Mapped to HTTP status and Matrix errcode in one
/// place, <see cref="EgressErrorMapper"/>; keep the two in step when adding a member.
/// </summary>
public enum EgressErrorKind
{
    /// <summary>The destination in the path (or absolute-form authority) is not a valid server name. 400.</summary>
    InvalidServerName,

    /// <summary>The request target is malformed (dot-segments, missing path, bad encoding, CR/LF). 400.</summary>
    InvalidRequestTarget,

    /// <summary>The client is not allowed to use the proxy (token or client IP). 401/403.</summary>
    ClientUnauthorized,

    /// <summary>The client's IP address is not in <c>ClientAuth:AllowedClientRanges</c>. 403.</summary>
    ClientForbidden,

    /// <summary>The destination server name is refused by the operator's allow/deny lists. 403.</summary>
    DestinationDenied,

    /// <summary>Every candidate address is in a forbidden IP range. 403.</summary>
    AddressDenied,

    /// <summary>The request would loop back through this proxy. 403 (508 would confuse homeservers).</summary>
    LoopDetected,

    /// <summary>DNS could not answer (SERVFAIL, timeout, no server reachable) and nothing stale was cached. 502.</summary>
    DnsFailed,

    /// <summary>The name has no addresses at all (NXDOMAIN / no A/AAAA for any target). 502.</summary>
    NoAddresses,

    /// <summary>An SRV record says the service is decidedly not available (target "."). 502.</summary>
    ServiceUnavailable,

    /// <summary>Every endpoint refused or was unreachable. 502.</summary>
    ConnectFailed,

    /// <summary>The TLS handshake failed or the certificate did not validate. 502.</summary>
    TlsFailed,

    /// <summary>The remote broke the exchange (reset, malformed response) before response headers. 502.</summary>
    UpstreamProtocolError,

    /// <summary>A step timed out (DNS, connect, TLS, response headers). 504.</summary>
    Timeout,

    /// <summary>The destination is in back-off after repeated failures. 503 with Retry-After.</summary>
    DestinationBackoff,

    /// <summary>Too many concurrent requests (overall or per destination). 503/429.</summary>
    Overloaded,

    /// <summary>The proxy is shutting down and takes no new requests. 503.</summary>
    ShuttingDown,

    /// <summary>The request body is larger than Limits:MaxRequestBodySize. 413.</summary>
    RequestTooLarge,
}
