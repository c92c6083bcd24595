using System.Diagnostics;
using System.Diagnostics.Metrics;
using FederationEgress.Discovery;
using FederationEgress.Errors;

namespace FederationEgress.Diagnostics;

/// <summary>
/// The product's instruments, created once on a <see cref="Meter"/> (in the app:
/// <see cref="EgressTelemetry.Meter"/>, registered as a singleton by
/// <see cref="TelemetryServiceCollectionExtensions.AddEgressTelemetry"/>). Methods take enums and
/// the constants of <see cref="EgressTagValues"/>, never destination names, so every series stays
/// low-cardinality; names and tags are documented in docs/observability.md.
/// </summary>
public sealed class EgressMetrics
{
    /// <summary>Bucket boundaries in seconds for resolution and request durations (cache hits are sub-millisecond, remote fetches seconds).</summary>
    internal static readonly IReadOnlyList<double> DurationBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>Bucket boundaries in seconds for single DNS questions (bounded by the resolver timeout).</summary>
    internal static readonly IReadOnlyList<double> DnsDurationBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _resolutions;
    private readonly Histogram<double> _resolutionDuration;
    private readonly Counter<long> _wellKnownFetches;
    private readonly Counter<long> _dnsQueries;
    private readonly Histogram<double> _dnsQueryDuration;
    private readonly Counter<long> _dnsCacheLookups;
    private readonly Counter<long> _upstreamRequests;
    private readonly Histogram<double> _upstreamRequestDuration;
    private readonly Counter<long> _upstreamFailovers;
    private readonly Counter<long> _policyDenials;
    private readonly UpDownCounter<long> _activeRequests;
    private readonly Counter<long> _tunnels;
    private readonly Counter<long> _tunnelBytes;
    private readonly Histogram<double> _tunnelDuration;
    private readonly CacheSizeSources _resolutionCaches = new();
    private readonly CacheSizeSources _dnsCaches = new();

    /// <summary>
    /// The instance on <see cref="EgressTelemetry.Meter"/>: what DI hands out, and what code that is
    /// not constructed by DI (static helpers, hot paths) records through.
    /// </summary>
    public static EgressMetrics Default { get; } = new(EgressTelemetry.Meter);

    /// <summary>Creates the instruments on <paramref name="meter"/> (tests pass a private meter).</summary>
    public EgressMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        var durationAdvice = new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets };
        var dnsAdvice = new InstrumentAdvice<double> { HistogramBucketBoundaries = DnsDurationBuckets };

        _resolutions = meter.CreateCounter<long>(
            EgressMetricNames.Resolutions, "{resolution}", "Server-name resolutions, cache hits included.");
        _resolutionDuration = meter.CreateHistogram(
            EgressMetricNames.ResolutionDuration, "s", "Time to resolve a server name, cache hits included.", advice: durationAdvice);
        meter.CreateObservableUpDownCounter(
            EgressMetricNames.ResolutionCacheEntries, _resolutionCaches.Observe, "{entry}", "Resolutions held in the resolution cache.");
        _wellKnownFetches = meter.CreateCounter<long>(
            EgressMetricNames.WellKnownFetches, "{fetch}", "Fetches of /.well-known/matrix/server by result.");
        _dnsQueries = meter.CreateCounter<long>(
            EgressMetricNames.DnsQueries, "{query}", "DNS questions sent to upstream servers.");
        _dnsQueryDuration = meter.CreateHistogram(
            EgressMetricNames.DnsQueryDuration, "s", "Time for one DNS question to be answered or time out.", advice: dnsAdvice);
        _dnsCacheLookups = meter.CreateCounter<long>(
            EgressMetricNames.DnsCacheLookups, "{lookup}", "DNS cache lookups by outcome.");
        meter.CreateObservableUpDownCounter(
            EgressMetricNames.DnsCacheEntries, _dnsCaches.Observe, "{entry}", "Record sets held in the DNS cache.");
        _upstreamRequests = meter.CreateCounter<long>(
            EgressMetricNames.UpstreamRequests, "{request}", "Forwarded requests by response status class and outcome.");
        _upstreamRequestDuration = meter.CreateHistogram(
            EgressMetricNames.UpstreamRequestDuration, "s", "Time from receiving a request to the destination's response headers (or the failure).", advice: durationAdvice);
        _upstreamFailovers = meter.CreateCounter<long>(
            EgressMetricNames.UpstreamFailovers, "{failover}", "Moves to the next endpoint after a connect or TLS failure.");
        _policyDenials = meter.CreateCounter<long>(
            EgressMetricNames.PolicyDenials, "{denial}", "Destinations or addresses refused by the egress policy.");
        _activeRequests = meter.CreateUpDownCounter<long>(
            EgressMetricNames.ActiveRequests, "{request}", "Requests being forwarded right now.");
        _tunnels = meter.CreateCounter<long>(
            EgressMetricNames.Tunnels, "{tunnel}", "CONNECT requests handled, by outcome.");
        _tunnelBytes = meter.CreateCounter<long>(
            EgressMetricNames.TunnelBytes, "By", "Bytes relayed through CONNECT tunnels, by direction.");
        _tunnelDuration = meter.CreateHistogram(
            EgressMetricNames.TunnelDuration, "s", "Duration of established CONNECT tunnels.", advice: durationAdvice);
    }

    /// <summary>
    /// Counts a resolution answered from the resolution cache. Hits are counted but not timed:
    /// timing would cost two clock reads, more than the hit itself. Allocation-free.
    /// </summary>
    public void ResolutionCacheHit(DiscoveryStep step) =>
        _resolutions.Add(
            1,
            new KeyValuePair<string, object?>(EgressTagNames.DiscoveryStep, EgressTagValues.Step(step)),
            new KeyValuePair<string, object?>(EgressTagNames.Cache, EgressTagValues.CacheHit),
            new KeyValuePair<string, object?>(EgressTagNames.Outcome, EgressTagValues.Success));

    /// <summary>
    /// Records one resolution. <paramref name="step"/> is null when discovery failed before a branch
    /// was chosen; <paramref name="cache"/> is one of <see cref="EgressTagValues.CacheHit"/>,
    /// <see cref="EgressTagValues.CacheMiss"/>, <see cref="EgressTagValues.CacheStale"/>;
    /// <paramref name="error"/> is null on success.
    /// </summary>
    public void ResolutionCompleted(DiscoveryStep? step, string cache, EgressErrorKind? error, TimeSpan duration)
    {
        var tags = new TagList
        {
            { EgressTagNames.DiscoveryStep, step is { } s ? EgressTagValues.Step(s) : EgressTagValues.NoStep },
            { EgressTagNames.Cache, cache },
            { EgressTagNames.Outcome, error is null ? EgressTagValues.Success : EgressTagValues.Failure },
        };
        _resolutionDuration.Record(duration.TotalSeconds, tags);
        if (error is { } kind)
        {
            tags.Add(EgressTagNames.ErrorType, EgressErrorMapper.TypeName(kind));
        }

        _resolutions.Add(1, tags);
    }

    /// <summary>Adjusts the reported resolution-cache size by <paramref name="delta"/> (for caches that push changes).</summary>
    public void ResolutionCacheEntriesChanged(long delta) => _resolutionCaches.Add(delta);

    /// <summary>
    /// Adds a resolution cache whose size is read at each collection. Held weakly: a collected
    /// cache (a disposed test host) drops out.
    /// </summary>
    public void RegisterResolutionCache(Func<long> count) => _resolutionCaches.Register(count);

    /// <summary>Records one well-known fetch.</summary>
    /// <param name="result">One of the <c>EgressTagValues.WellKnown*</c> constants.</param>
    public void WellKnownFetched(string result) =>
        _wellKnownFetches.Add(1, new KeyValuePair<string, object?>(EgressTagNames.WellKnownResult, result));

    /// <summary>
    /// Records one DNS question sent upstream: <paramref name="recordType"/> "A", "AAAA" or "SRV";
    /// <paramref name="responseCode"/> "NOERROR", "NXDOMAIN", "SERVFAIL", … or "timeout".
    /// Optional: <c>transport</c> "udp" or "tcp" (<c>network.transport</c>); <c>errorType</c> why the
    /// query failed ("timeout", "unreachable", "malformed", "servfail"…), null when answered usefully.
    /// </summary>
    public void DnsQueryCompleted(string recordType, string responseCode, TimeSpan duration, string? transport = null, string? errorType = null)
    {
        var tags = new TagList
        {
            { EgressTagNames.DnsQuestionType, recordType },
            { EgressTagNames.DnsResponseCode, responseCode },
        };
        if (transport is not null)
        {
            tags.Add(EgressTagNames.NetworkTransport, transport);
        }

        if (errorType is not null)
        {
            tags.Add(EgressTagNames.ErrorType, errorType);
        }

        _dnsQueries.Add(1, tags);
        _dnsQueryDuration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>Records one DNS cache lookup; <paramref name="cache"/> is "hit", "miss" or "stale" (<see cref="EgressTagValues"/>).</summary>
    public void DnsCacheLookup(string recordType, string cache) =>
        _dnsCacheLookups.Add(
            1,
            new KeyValuePair<string, object?>(EgressTagNames.DnsQuestionType, recordType),
            new KeyValuePair<string, object?>(EgressTagNames.Cache, cache));

    /// <summary>Adjusts the reported DNS-cache size by <paramref name="delta"/> (for caches that push changes).</summary>
    public void DnsCacheEntriesChanged(long delta) => _dnsCaches.Add(delta);

    /// <summary>Adds a DNS cache whose size is read at each collection (held weakly).</summary>
    public void RegisterDnsCache(Func<long> count) => _dnsCaches.Register(count);

    /// <summary>
    /// Records one forwarded request once its outcome is known: the destination's status code
    /// (any status counts as a success of the proxy) or the failure that prevented a response.
    /// </summary>
    public void UpstreamRequestCompleted(string method, int? statusCode, EgressErrorKind? error, string frontEnd, TimeSpan duration)
    {
        var tags = new TagList
        {
            { EgressTagNames.HttpRequestMethod, NormalizeMethod(method) },
            { EgressTagNames.StatusClass, EgressTagValues.StatusClass(statusCode) },
            { EgressTagNames.Outcome, error is null ? EgressTagValues.Success : EgressTagValues.Failure },
            { EgressTagNames.FrontEnd, frontEnd },
        };
        if (error is { } kind)
        {
            tags.Add(EgressTagNames.ErrorType, EgressErrorMapper.TypeName(kind));
        }

        _upstreamRequests.Add(1, tags);
        _upstreamRequestDuration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>Records a move to the next endpoint because the previous one failed with <paramref name="reason"/>.</summary>
    public void UpstreamFailover(EgressErrorKind reason) =>
        _upstreamFailovers.Add(1, new KeyValuePair<string, object?>(EgressTagNames.ErrorType, EgressErrorMapper.TypeName(reason)));

    /// <summary>Records a policy refusal.</summary>
    /// <param name="reason">Low-cardinality reason, e.g. "forbidden_range", "destination_denied", "loop".</param>
    public void PolicyDenied(string reason) =>
        _policyDenials.Add(1, new KeyValuePair<string, object?>(EgressTagNames.PolicyReason, reason));

    /// <summary>Call when a request starts being forwarded; pair with <see cref="RequestEnded"/>.</summary>
    public void RequestStarted(string frontEnd) =>
        _activeRequests.Add(1, new KeyValuePair<string, object?>(EgressTagNames.FrontEnd, frontEnd));

    /// <summary>Call when a request started with <see cref="RequestStarted"/> ends, whatever the outcome.</summary>
    public void RequestEnded(string frontEnd) =>
        _activeRequests.Add(-1, new KeyValuePair<string, object?>(EgressTagNames.FrontEnd, frontEnd));

    /// <summary>Records a CONNECT request's end: <paramref name="outcome"/> "completed" or an error type such as "address_denied".</summary>
    public void TunnelCompleted(string outcome) =>
        _tunnels.Add(1, new KeyValuePair<string, object?>(EgressTagNames.Outcome, outcome));

    /// <summary>Records the bytes an established tunnel relayed each way and how long it lasted.</summary>
    public void TunnelClosed(long upstreamBytes, long downstreamBytes, TimeSpan duration)
    {
        _tunnelBytes.Add(upstreamBytes, new KeyValuePair<string, object?>(EgressTagNames.Direction, EgressTagValues.Upstream));
        _tunnelBytes.Add(downstreamBytes, new KeyValuePair<string, object?>(EgressTagNames.Direction, EgressTagValues.Downstream));
        _tunnelDuration.Record(duration.TotalSeconds);
    }

    /// <summary>Semantic-convention method normalisation: known methods as-is, anything else "_OTHER" (bounded cardinality).</summary>
    internal static string NormalizeMethod(string method) => method switch
    {
        "GET" => "GET",
        "PUT" => "PUT",
        "POST" => "POST",
        "DELETE" => "DELETE",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        "PATCH" => "PATCH",
        "CONNECT" => "CONNECT",
        "TRACE" => "TRACE",
        _ => "_OTHER",
    };
}
