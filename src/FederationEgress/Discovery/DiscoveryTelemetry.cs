using FederationEgress.Diagnostics;

namespace FederationEgress.Discovery;

/// <summary>Span and attribute names of server discovery (spans on <see cref="EgressTelemetry"/>; metrics through <see cref="EgressMetrics"/>).</summary>
internal static class DiscoveryTelemetry
{
    public const string ResolveActivity = "matrix.resolve";
    public const string WellKnownActivity = "matrix.well_known";
    public const string SrvActivity = "matrix.srv";
    public const string AddressesActivity = "matrix.addresses";

    public const string ServerNameTag = "matrix.server_name";
    public const string StepTag = "matrix.discovery.step";
    public const string DelegatedNameTag = "matrix.delegated_name";
    public const string HostHeaderTag = "matrix.host_header";
    public const string TlsNameTag = "matrix.tls_name";
    public const string EndpointsTag = "matrix.endpoints";
    public const string CacheTag = "matrix.cache";
    public const string ExpiresAtTag = "matrix.expires_at";
    public const string ErrorTypeTag = "error.type";

    public const string UrlTag = "url.full";
    public const string StatusTag = "http.response.status_code";
    public const string WellKnownOutcomeTag = "matrix.well_known.outcome";
    public const string WellKnownRedirectsTag = "matrix.well_known.redirects";
    public const string SrvServiceTag = "matrix.srv.service";
    public const string RecordCountTag = "dns.record_count";
    public const string DnsOutcomeTag = "dns.outcome";
    public const string DnsStaleTag = "dns.stale";
    public const string DnsHostTag = "dns.question.name";

    /// <summary>snake_case names of <see cref="DiscoveryStep"/> values, indexed by the enum value.</summary>
    private static readonly string[] StepNames =
    [
        "ip_literal",
        "explicit_port",
        "well_known_ip_literal",
        "well_known_explicit_port",
        "well_known_srv",
        "well_known_default_port",
        "srv",
        "default_port",
    ];

    /// <summary>snake_case of a step, for the <c>matrix.discovery.step</c> attribute.</summary>
    public static string StepName(DiscoveryStep step) => StepNames[(int)step];
}
