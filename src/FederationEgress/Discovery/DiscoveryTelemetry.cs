using System.Diagnostics.Metrics;
using FederationEgress.Diagnostics;

namespace FederationEgress.Discovery;

/// <summary>Span names, attribute names and instruments of server discovery (on <see cref="EgressTelemetry"/>).</summary>
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
    public const string OutcomeTag = "outcome";
    public const string ResultTag = "result";
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

    /// <summary>Counter: resolutions, tagged outcome, matrix.discovery.step, matrix.cache.</summary>
    public static readonly Counter<long> Resolutions =
        EgressTelemetry.Meter.CreateCounter<long>("egress.resolutions", "{resolution}", "Server name resolutions");

    /// <summary>Histogram: resolution duration in seconds.</summary>
    public static readonly Histogram<double> ResolutionDuration =
        EgressTelemetry.Meter.CreateHistogram<double>("egress.resolution.duration", "s", "Time to resolve a server name");

    /// <summary>Counter: well-known lookups, tagged result = valid | permanent_failure | temporary_failure | cached.</summary>
    public static readonly Counter<long> WellKnownFetches =
        EgressTelemetry.Meter.CreateCounter<long>("egress.well_known.fetches", "{fetch}", "Well-known fetches and cache hits");

    private static readonly List<WeakReference<Func<int>>> CacheCounters = [];

    static DiscoveryTelemetry()
    {
        EgressTelemetry.Meter.CreateObservableGauge("egress.resolution.cache.entries", ObserveCacheEntries, "{entry}", "Server names in the resolution cache");
    }

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

    /// <summary>Registers a cache size source for the gauge (held weakly: a collected resolver drops out).</summary>
    public static void RegisterCache(Func<int> count)
    {
        lock (CacheCounters)
        {
            CacheCounters.RemoveAll(w => !w.TryGetTarget(out _));
            CacheCounters.Add(new WeakReference<Func<int>>(count));
        }
    }

    private static int ObserveCacheEntries()
    {
        var total = 0;
        lock (CacheCounters)
        {
            foreach (var weak in CacheCounters)
            {
                if (weak.TryGetTarget(out var count))
                {
                    total += count();
                }
            }
        }

        return total;
    }
}
