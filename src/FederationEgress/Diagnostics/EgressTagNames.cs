namespace FederationEgress.Diagnostics;

/// <summary>
/// Attribute (tag) keys used on spans and metrics. OpenTelemetry semantic-convention names where one
/// exists; the documented <c>matrix.*</c> namespace for the rest. Destination names (server name,
/// delegated name, host header, TLS name, endpoints) go on spans only, never on metrics.
/// </summary>
public static class EgressTagNames
{
    // OpenTelemetry semantic conventions.

    /// <summary>Host the span talks to (DNS name or IP), e.g. the well-known host or SRV target.</summary>
    public const string ServerAddress = "server.address";

    /// <summary>Port the span talks to.</summary>
    public const string ServerPort = "server.port";

    /// <summary>The IP actually dialled.</summary>
    public const string NetworkPeerAddress = "network.peer.address";

    /// <summary>Port actually dialled.</summary>
    public const string NetworkPeerPort = "network.peer.port";

    /// <summary>HTTP method of the forwarded request.</summary>
    public const string HttpRequestMethod = "http.request.method";

    /// <summary>HTTP status code (an integer) of a response.</summary>
    public const string HttpResponseStatusCode = "http.response.status_code";

    /// <summary>
    /// Low-cardinality failure class: <see cref="Errors.EgressErrorMapper.TypeName"/> of the
    /// <see cref="Errors.EgressErrorKind"/> (e.g. "dns_failed", "tls_failed"). Absent on success.
    /// </summary>
    public const string ErrorType = "error.type";

    /// <summary>The name a DNS question asked about (spans only).</summary>
    public const string DnsQuestionName = "dns.question.name";

    /// <summary>The DNS record type asked: "A", "AAAA", "SRV".</summary>
    public const string DnsQuestionType = "dns.question.type";

    /// <summary>The DNS response code ("NOERROR", "NXDOMAIN", "SERVFAIL", …) or "timeout" when none arrived.</summary>
    public const string DnsResponseCode = "dns.response.rcode";

    // matrix.* namespace.

    /// <summary>The destination server name as the homeserver wrote it (spans only).</summary>
    public const string ServerName = "matrix.server_name";

    /// <summary>The discovery step that produced the result (<see cref="EgressTagValues.Step"/>, e.g. "well_known_srv").</summary>
    public const string DiscoveryStep = "matrix.discovery.step";

    /// <summary>The well-known <c>m.server</c> value when delegation happened (spans only).</summary>
    public const string DelegatedName = "matrix.delegated_name";

    /// <summary>The Host header sent to the destination (spans only).</summary>
    public const string HostHeader = "matrix.host_header";

    /// <summary>The name used for SNI and certificate validation; absent for IP literals (spans only).</summary>
    public const string TlsName = "matrix.tls_name";

    /// <summary>Cache outcome of a lookup: "hit", "miss", "stale" (<see cref="EgressTagValues"/>).</summary>
    public const string Cache = "matrix.cache";

    /// <summary>The resolved endpoints in failover order, as a string array of "ip:port" (spans only).</summary>
    public const string Endpoints = "matrix.endpoints";

    /// <summary>Overall outcome of an operation on metrics: "success" or "failure".</summary>
    public const string Outcome = "matrix.outcome";

    /// <summary>Result of a well-known fetch: "delegated", "not_found", "invalid", "error", "timeout".</summary>
    public const string WellKnownResult = "matrix.well_known.result";

    /// <summary>HTTP status class of an upstream response on metrics: "1xx" … "5xx", or "none" when no response arrived.</summary>
    public const string StatusClass = "matrix.response.status_class";

    /// <summary>Which front end took the request ("path", "synapse"): <see cref="Forwarding.ForwardingProfile.Name"/>.</summary>
    public const string FrontEnd = "matrix.front_end";

    /// <summary>Why the egress policy refused an address or destination, e.g. "forbidden_range", "destination_denied".</summary>
    public const string PolicyReason = "matrix.policy.reason";

    /// <summary>Transport of a DNS query: "udp" or "tcp".</summary>
    public const string NetworkTransport = "network.transport";

    /// <summary>Direction of relayed tunnel bytes: "upstream" (client to destination) or "downstream".</summary>
    public const string Direction = "matrix.direction";
}
