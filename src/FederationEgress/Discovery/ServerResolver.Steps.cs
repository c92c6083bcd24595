using System.Diagnostics;
using System.Net;
using FederationEgress.Diagnostics;
using FederationEgress.Discovery.Srv;
using FederationEgress.Discovery.WellKnown;
using FederationEgress.Dns;
using FederationEgress.Errors;
using FederationEgress.ServerNames;
using Microsoft.Extensions.Logging;

namespace FederationEgress.Discovery;

/// <summary>The discovery algorithm itself (shared/spec/server-discovery.md), step by step.</summary>
internal sealed partial class ServerResolver
{
    private const string FederationSrvPrefix = "_matrix-fed._tcp.";
    private const string LegacySrvPrefix = "_matrix._tcp.";

    /// <summary>How many SRV orders a cached resolution keeps when the order is random.</summary>
    private const int SrvOrderVariants = 16;

    /// <summary>
    /// Runs the spec's steps for <paramref name="name"/>. Host header: the server name or the
    /// delegated name exactly as written (port only if it had one). TLS name: that name's
    /// lower-case host, or null for IP literals (certificate for the IP, no SNI). Never the SRV
    /// target, the SRV port or the implied 8448.
    /// </summary>
    private async Task<ResolveOutcome> ResolveCoreAsync(ServerName name, DiscoveryTrace? trace, bool bypassCache, bool awaitRefresh, CancellationToken cancellationToken)
    {
        // Step 1: IP literal. Connect to it on its port or 8448; Host = the name as given; no SNI.
        if (name.IsIpLiteral)
        {
            var endpoint = new ResolvedEndpoint(new IPEndPoint(name.Address!, name.Port ?? DefaultFederationPort), name.Host);
            trace?.Add(new DiscoveryTraceStep("ip_literal", name.Value, "success", null, [endpoint.ToString()], null, false, TimeSpan.Zero));
            return new ResolveOutcome(new Resolution(name, DiscoveryStep.IpLiteral, [endpoint], name.Value, tlsName: null), null);
        }

        var expiry = new ExpiryTracker(_time.GetUtcNow(), TimeSpan.FromSeconds(_options.StaleResolutionSeconds));

        // Step 2: hostname with explicit port. AAAA/A of the hostname on that port; no well-known,
        // no SRV. Host = name with port; TLS name = hostname.
        if (name.Port is int port)
        {
            var endpoints = await AddressEndpointsAsync(name.DnsHost, port, expiry, trace, cancellationToken).ConfigureAwait(false);
            return Outcome(name, DiscoveryStep.ExplicitPort, endpoints, name.Value, name.DnsHost, null, expiry, null);
        }

        // Step 3: hostname without port. Ask https://<hostname>/.well-known/matrix/server (cached).
        var wellKnown = await LookupWellKnownAsync(name.DnsHost, bypassCache, awaitRefresh, trace, cancellationToken).ConfigureAwait(false);
        expiry.Include(wellKnown.ExpiresAt);
        if (wellKnown.Delegation is { } delegated)
        {
            // Only one delegation hop: the delegated name's own well-known is never fetched.

            // Step 3a: delegated IP literal, on its port or 8448; Host = the IP (with port if given); no SNI.
            if (delegated.IsIpLiteral)
            {
                var endpoint = new ResolvedEndpoint(new IPEndPoint(delegated.Address!, delegated.Port ?? DefaultFederationPort), delegated.Host);
                return Outcome(name, DiscoveryStep.WellKnownIpLiteral, [endpoint], delegated.Value, null, delegated.Value, expiry, wellKnown.RefreshAt);
            }

            // Step 3b: delegated hostname with port. AAAA/A on that port; Host = "<host>:<port>"; TLS = host.
            if (delegated.Port is int delegatedPort)
            {
                var endpoints = await AddressEndpointsAsync(delegated.DnsHost, delegatedPort, expiry, trace, cancellationToken).ConfigureAwait(false);
                return Outcome(name, DiscoveryStep.WellKnownExplicitPort, endpoints, delegated.Value, delegated.DnsHost, delegated.Value, expiry, wellKnown.RefreshAt);
            }

            // Step 3c: delegated hostname without port: SRV _matrix-fed._tcp, then _matrix._tcp.
            // Host and TLS name stay the delegated hostname, never the SRV target.
            var srvEndpoints = await SrvEndpointsAsync(delegated.DnsHost, expiry, trace, cancellationToken).ConfigureAwait(false);
            if (srvEndpoints is not null)
            {
                return Outcome(name, DiscoveryStep.WellKnownSrv, srvEndpoints.Value.Endpoints, delegated.Value, delegated.DnsHost, delegated.Value, expiry, wellKnown.RefreshAt, srvEndpoints.Value.Alternatives);
            }

            // Step 3d: no SRV: AAAA/A of the delegated hostname on 8448.
            var fallback = await AddressEndpointsAsync(delegated.DnsHost, DefaultFederationPort, expiry, trace, cancellationToken).ConfigureAwait(false);
            return Outcome(name, DiscoveryStep.WellKnownDefaultPort, fallback, delegated.Value, delegated.DnsHost, delegated.Value, expiry, wellKnown.RefreshAt);
        }

        // Step 4: no (valid) well-known: SRV _matrix-fed._tcp.<hostname>, then _matrix._tcp.<hostname>.
        // Host and TLS name = the server name.
        var ownSrv = await SrvEndpointsAsync(name.DnsHost, expiry, trace, cancellationToken).ConfigureAwait(false);
        if (ownSrv is not null)
        {
            return Outcome(name, DiscoveryStep.Srv, ownSrv.Value.Endpoints, name.Value, name.DnsHost, null, expiry, wellKnown.RefreshAt, ownSrv.Value.Alternatives);
        }

        // Step 5: no SRV either: AAAA/A of the hostname on 8448.
        var last = await AddressEndpointsAsync(name.DnsHost, DefaultFederationPort, expiry, trace, cancellationToken).ConfigureAwait(false);
        return Outcome(name, DiscoveryStep.DefaultPort, last, name.Value, name.DnsHost, null, expiry, wellKnown.RefreshAt);
    }

    private static ResolveOutcome Outcome(
        ServerName name,
        DiscoveryStep step,
        IReadOnlyList<ResolvedEndpoint> endpoints,
        string host,
        string? tlsName,
        string? delegated,
        ExpiryTracker expiry,
        DateTimeOffset? refreshAt,
        IReadOnlyList<List<ResolvedEndpoint>>? alternatives = null)
    {
        var resolution = new Resolution(name, step, endpoints, host, tlsName, delegated, expiry.Value);
        var variants = alternatives?.Select(a => new Resolution(name, step, a, host, tlsName, delegated, expiry.Value)).Prepend(resolution).ToArray();
        return new ResolveOutcome(resolution, refreshAt, variants);
    }

    private async Task<WellKnownLookup> LookupWellKnownAsync(string host, bool bypassCache, bool awaitRefresh, DiscoveryTrace? trace, CancellationToken cancellationToken)
    {
        var url = WellKnownFetcher.UrlFor(host);
        using var activity = EgressTelemetry.ActivitySource.StartActivity(DiscoveryTelemetry.WellKnownActivity);
        activity?.SetTag(DiscoveryTelemetry.UrlTag, url);
        var start = _time.GetTimestamp();
        var lookup = bypassCache
            ? await _wellKnown.FetchUncachedAsync(host, cancellationToken).ConfigureAwait(false)
            : await _wellKnown.LookupAsync(host, awaitRefresh, cancellationToken).ConfigureAwait(false);
        var fetch = lookup.Fetch;
        if (activity is not null)
        {
            activity.SetTag(DiscoveryTelemetry.StatusTag, fetch.StatusCode);
            activity.SetTag(DiscoveryTelemetry.WellKnownOutcomeTag, fetch.OutcomeName);
            activity.SetTag(DiscoveryTelemetry.CacheTag, lookup.CacheName);
            activity.SetTag(DiscoveryTelemetry.ExpiresAtTag, lookup.ExpiresAt.ToString("O"));
            activity.SetTag(DiscoveryTelemetry.WellKnownRedirectsTag, fetch.Redirects.Count);
            activity.SetTag(DiscoveryTelemetry.DelegatedNameTag, lookup.Delegation?.Value);
            if (fetch.Outcome != WellKnownOutcome.Valid)
            {
                activity.SetTag(DiscoveryTelemetry.ErrorTypeTag, fetch.Failure.ToString());
                activity.SetTag("matrix.well_known.reason", fetch.Message);
            }
        }

        if (trace is not null)
        {
            var records = new List<string>(fetch.Redirects.Select(r => "redirect " + r));
            if (lookup.Delegation is { } d)
            {
                records.Add("m.server " + d.Value);
            }

            var status = fetch.StatusCode is int code ? $"HTTP {code}; " : string.Empty;
            trace.Add(new DiscoveryTraceStep("well_known", url, fetch.OutcomeName, $"{lookup.CacheName}; {status}{fetch.Message}; attempts {fetch.Attempts}", records, lookup.ExpiresAt, false, _time.GetElapsedTime(start)) { WellKnown = fetch });
        }

        return lookup;
    }

    /// <summary>
    /// SRV endpoints for <paramref name="host"/>, or null when neither service name has records.
    /// Only "no such record" (NXDOMAIN / NODATA) on <c>_matrix-fed._tcp</c> falls through to
    /// <c>_matrix._tcp</c>; when federation records exist the legacy name is never asked, even if
    /// their targets fail (MSC4040). A lookup that fails outright (SERVFAIL, timeout, nothing stale
    /// cached) fails the request: a record may exist.
    /// </summary>
    private async Task<(List<ResolvedEndpoint> Endpoints, List<List<ResolvedEndpoint>>? Alternatives)?> SrvEndpointsAsync(string host, ExpiryTracker expiry, DiscoveryTrace? trace, CancellationToken cancellationToken)
    {
        var service = FederationSrvPrefix + host;
        var answer = await QuerySrvAsync(service, trace, cancellationToken).ConfigureAwait(false);
        if (answer.IsFailure)
        {
            throw SrvFailed(service, answer);
        }

        expiry.Include(answer.ExpiresAt, answer.IsStale);
        if (!HasRecords(answer))
        {
            service = LegacySrvPrefix + host;
            answer = await QuerySrvAsync(service, trace, cancellationToken).ConfigureAwait(false);
            if (answer.IsFailure)
            {
                throw SrvFailed(service, answer);
            }

            expiry.Include(answer.ExpiresAt, answer.IsStale);
            if (!HasRecords(answer))
            {
                return null;
            }

            Log.LegacySrvUsed(_logger, service);
        }

        var usable = answer.Records.Where(r => !r.IsUnavailableMarker).ToList();
        if (usable.Count == 0)
        {
            throw new EgressException(EgressErrorKind.ServiceUnavailable, "srv", $"{service} has a \".\" target: the service is decidedly not available");
        }

        if (usable.Count < answer.Records.Count)
        {
            Log.MarkerDropped(_logger, service);
        }

        var ordered = SrvOrdering.Order(usable, _random);
        var targets = ordered.Select(r => NormalizeTarget(r.Target)).Distinct(StringComparer.Ordinal).ToArray();
        var lookups = await LookupAllAsync(targets, trace, cancellationToken).ConfigureAwait(false);

        var skipped = new List<string>();
        var dnsFailure = false;
        for (var i = 0; i < targets.Length; i++)
        {
            var result = lookups[i];
            expiry.Include(result.ExpiresAt, result.IsStale);
            if (result.Status != DnsResultStatus.Success || result.Records.Count == 0)
            {
                // A target that does not resolve is skipped; the next one is tried.
                dnsFailure |= result.IsFailure;
                skipped.Add($"{targets[i]} ({Describe(result)})");
                Log.SrvTargetSkipped(_logger, service, targets[i], Describe(result));
            }
        }

        var endpoints = SrvEndpoints(ordered, targets, lookups);
        if (endpoints.Count == 0)
        {
            var message = $"no SRV target of {service} resolves: {string.Join(", ", skipped)}";
            throw new EgressException(dnsFailure ? EgressErrorKind.DnsFailed : EgressErrorKind.NoAddresses, "dns", message);
        }

        // A cached resolution keeps its order, so when the order is random (several records in
        // one priority) keep a few independently drawn orders; cache hits pick one at random.
        List<List<ResolvedEndpoint>>? alternatives = null;
        if (endpoints.Count > 1 && usable.GroupBy(r => r.Priority).Any(g => g.Count() > 1))
        {
            alternatives = new List<List<ResolvedEndpoint>>(SrvOrderVariants - 1);
            for (var i = 1; i < SrvOrderVariants; i++)
            {
                alternatives.Add(SrvEndpoints(SrvOrdering.Order(usable, _random), targets, lookups));
            }
        }

        return (endpoints, alternatives);
    }

    // Each SRV record's addresses (as the DNS resolver ordered them) in record order, duplicates dropped.
    private static List<ResolvedEndpoint> SrvEndpoints(List<SrvRecord> ordered, string[] targets, DnsResult<IPAddress>[] lookups)
    {
        var endpoints = new List<ResolvedEndpoint>();
        var seen = new HashSet<IPEndPoint>();
        foreach (var record in ordered)
        {
            var target = NormalizeTarget(record.Target);
            var result = lookups[Array.IndexOf(targets, target)];
            if (result.Status != DnsResultStatus.Success)
            {
                continue;
            }

            foreach (var address in result.Records)
            {
                var endpoint = new IPEndPoint(address, record.Port);
                if (seen.Add(endpoint))
                {
                    endpoints.Add(new ResolvedEndpoint(endpoint, target));
                }
            }
        }

        return endpoints;
    }

    private async Task<List<ResolvedEndpoint>> AddressEndpointsAsync(string host, int port, ExpiryTracker expiry, DiscoveryTrace? trace, CancellationToken cancellationToken)
    {
        var result = await QueryAddressesAsync(host, trace, cancellationToken).ConfigureAwait(false);
        if (result.Status == DnsResultStatus.Success && result.Records.Count > 0)
        {
            expiry.Include(result.ExpiresAt, result.IsStale);
            var endpoints = new List<ResolvedEndpoint>(result.Records.Count);
            var seen = new HashSet<IPAddress>();
            foreach (var address in result.Records)
            {
                if (seen.Add(address))
                {
                    endpoints.Add(new ResolvedEndpoint(new IPEndPoint(address, port), host));
                }
            }

            return endpoints;
        }

        if (result.IsFailure)
        {
            throw new EgressException(EgressErrorKind.DnsFailed, "dns", $"AAAA/A lookup for {host} failed: {Describe(result)}");
        }

        throw new EgressException(EgressErrorKind.NoAddresses, "dns", $"{host} has no AAAA or A records ({Describe(result)})");
    }

    private async Task<DnsResult<IPAddress>[]> LookupAllAsync(string[] hosts, DiscoveryTrace? trace, CancellationToken cancellationToken)
    {
        if (hosts.Length == 1)
        {
            return [await QueryAddressesAsync(hosts[0], trace, cancellationToken).ConfigureAwait(false)];
        }

        var tasks = new Task<DnsResult<IPAddress>>[hosts.Length];
        for (var i = 0; i < hosts.Length; i++)
        {
            tasks[i] = QueryAddressesAsync(hosts[i], trace, cancellationToken).AsTask();
        }

        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async ValueTask<DnsResult<SrvRecord>> QuerySrvAsync(string service, DiscoveryTrace? trace, CancellationToken cancellationToken)
    {
        using var activity = EgressTelemetry.ActivitySource.StartActivity(DiscoveryTelemetry.SrvActivity);
        activity?.SetTag(DiscoveryTelemetry.SrvServiceTag, service);
        var start = _time.GetTimestamp();
        DnsResult<SrvRecord> result;
        try
        {
            result = await _dns.ResolveSrvAsync(service, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            result = new DnsResult<SrvRecord>(DnsResultStatus.ServerFailure, [], _time.GetUtcNow(), Error: ex.Message);
        }

        TagDns(activity, result.Status, result.Records.Count, result.IsStale, result.Error);
        trace?.Add(new DiscoveryTraceStep("srv", service, StatusName(result.Status), result.Error, result.Records.Select(r => $"{r.Priority} {r.Weight} {r.Port} {r.Target}").ToArray(), result.ExpiresAt, result.IsStale, _time.GetElapsedTime(start)));
        return result;
    }

    private async ValueTask<DnsResult<IPAddress>> QueryAddressesAsync(string host, DiscoveryTrace? trace, CancellationToken cancellationToken)
    {
        using var activity = EgressTelemetry.ActivitySource.StartActivity(DiscoveryTelemetry.AddressesActivity);
        activity?.SetTag(DiscoveryTelemetry.DnsHostTag, host);
        var start = _time.GetTimestamp();
        DnsResult<IPAddress> result;
        try
        {
            result = await _dns.ResolveAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            result = new DnsResult<IPAddress>(DnsResultStatus.ServerFailure, [], _time.GetUtcNow(), Error: ex.Message);
        }

        TagDns(activity, result.Status, result.Records.Count, result.IsStale, result.Error);
        trace?.Add(new DiscoveryTraceStep("addresses", host, StatusName(result.Status), result.Error, result.Records.Select(a => a.ToString()).ToArray(), result.ExpiresAt, result.IsStale, _time.GetElapsedTime(start)));
        return result;
    }

    private static void TagDns(Activity? activity, DnsResultStatus status, int count, bool stale, string? error)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(DiscoveryTelemetry.DnsOutcomeTag, StatusName(status));
        activity.SetTag(DiscoveryTelemetry.RecordCountTag, count);
        activity.SetTag(DiscoveryTelemetry.DnsStaleTag, stale);
        if (status is DnsResultStatus.ServerFailure or DnsResultStatus.Timeout)
        {
            activity.SetStatus(ActivityStatusCode.Error, error);
        }
    }

    private static EgressException SrvFailed(string service, DnsResult<SrvRecord> answer) =>
        new(EgressErrorKind.DnsFailed, "srv", $"SRV lookup for {service} failed: {Describe(answer)}");

    private static bool HasRecords(DnsResult<SrvRecord> answer) => answer.Status == DnsResultStatus.Success && answer.Records.Count > 0;

    // SRV targets may carry a trailing dot and any case; DNS questions use the bare lower-case name.
    private static string NormalizeTarget(string target) => target.TrimEnd('.').ToLowerInvariant();

    private static string Describe<T>(DnsResult<T> result) =>
        result.Error is { Length: > 0 } error ? $"{StatusName(result.Status)}: {error}" : StatusName(result.Status);

    private static string StatusName(DnsResultStatus status) => status switch
    {
        DnsResultStatus.Success => "success",
        DnsResultStatus.NoData => "no_data",
        DnsResultStatus.NameError => "name_error",
        DnsResultStatus.ServerFailure => "server_failure",
        _ => "timeout",
    };
}
