namespace FederationEgress.Discovery;

/// <summary>One step of a discovery report.</summary>
/// <param name="Name">"cache", "ip_literal", "well_known", "srv" or "addresses".</param>
/// <param name="Input">What was asked: the well-known URL, the SRV service name, the host name.</param>
/// <param name="Outcome">"hit", "valid", "permanent_failure", "temporary_failure", "success", "no_data", "name_error", "server_failure", "timeout"…</param>
/// <param name="Detail">Human detail: HTTP status and reason, cache outcome, DNS error.</param>
/// <param name="Records">What came back: SRV records, addresses, redirect chain, endpoints.</param>
/// <param name="ExpiresAt">Until when this answer is cached, if it is.</param>
/// <param name="Stale">True when DNS served the answer past its TTL.</param>
/// <param name="Duration">Time spent on the step.</param>
public sealed record DiscoveryTraceStep(
    string Name,
    string Input,
    string Outcome,
    string? Detail,
    IReadOnlyList<string> Records,
    DateTimeOffset? ExpiresAt,
    bool Stale,
    TimeSpan Duration)
{
    /// <summary>For "well_known" steps: the fetch behind the answer (status, body, cache headers, redirects).</summary>
    public WellKnown.WellKnownFetchResult? WellKnown { get; init; }
}
