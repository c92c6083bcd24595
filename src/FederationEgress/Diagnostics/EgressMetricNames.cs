namespace FederationEgress.Diagnostics;

/// <summary>
/// Names of the instruments on <see cref="EgressTelemetry.Meter"/>. Every folder that records a
/// measurement uses these names (ideally through <see cref="EgressMetrics"/>); the table with units
/// and tags is in docs/observability.md.
/// </summary>
public static class EgressMetricNames
{
    /// <summary>Counter of resolutions; tags step, cache, outcome, error.type.</summary>
    public const string Resolutions = "egress.resolutions";

    /// <summary>Histogram of resolution time in seconds; tags step, cache, outcome.</summary>
    public const string ResolutionDuration = "egress.resolution.duration";

    /// <summary>UpDownCounter of entries held by the resolution cache.</summary>
    public const string ResolutionCacheEntries = "egress.resolution.cache.entries";

    /// <summary>Counter of well-known fetches; tag matrix.well_known.result.</summary>
    public const string WellKnownFetches = "egress.well_known.fetches";

    /// <summary>Counter of DNS questions sent; tags dns.question.type, dns.response.rcode.</summary>
    public const string DnsQueries = "egress.dns.queries";

    /// <summary>Histogram of DNS question time in seconds; tags dns.question.type, dns.response.rcode.</summary>
    public const string DnsQueryDuration = "egress.dns.query.duration";

    /// <summary>Counter of DNS cache lookups; tags dns.question.type, matrix.cache.</summary>
    public const string DnsCacheLookups = "egress.dns.cache.lookups";

    /// <summary>UpDownCounter of entries held by the DNS cache.</summary>
    public const string DnsCacheEntries = "egress.dns.cache.entries";

    /// <summary>Counter of forwarded requests that completed; tags http.request.method, status class, outcome, error.type, front end.</summary>
    public const string UpstreamRequests = "egress.upstream.requests";

    /// <summary>Histogram of forwarded request time (to response headers or failure) in seconds; same tags as <see cref="UpstreamRequests"/>.</summary>
    public const string UpstreamRequestDuration = "egress.upstream.request.duration";

    /// <summary>Counter of moves to the next endpoint after a connect/TLS failure; tag error.type.</summary>
    public const string UpstreamFailovers = "egress.upstream.failovers";

    /// <summary>Counter of requests or addresses refused by policy; tag matrix.policy.reason.</summary>
    public const string PolicyDenials = "egress.policy.denials";

    /// <summary>UpDownCounter of requests being forwarded right now; tag matrix.front_end.</summary>
    public const string ActiveRequests = "egress.requests.active";

    /// <summary>Counter of CONNECT requests handled; tag matrix.outcome ("completed" or an error type).</summary>
    public const string Tunnels = "egress.tunnels";

    /// <summary>Counter of bytes relayed through CONNECT tunnels; tag matrix.direction.</summary>
    public const string TunnelBytes = "egress.tunnel.bytes";

    /// <summary>Histogram of established CONNECT tunnel lifetimes in seconds.</summary>
    public const string TunnelDuration = "egress.tunnel.duration";
}
