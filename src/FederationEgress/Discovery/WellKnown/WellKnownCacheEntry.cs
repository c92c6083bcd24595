using FederationEgress.ServerNames;

namespace FederationEgress.Discovery.WellKnown;

/// <summary>
/// What the cache knows about one host's well-known: the delegation (null = none; go to step 4),
/// when it expires and when to refresh it, plus the history that drives failure periods.
/// Immutable; replaced as a whole.
/// </summary>
/// <param name="Delegation">The <c>m.server</c> in force, or null for "no delegation".</param>
/// <param name="FetchedAt">When the answer behind <paramref name="Delegation"/> was fetched.</param>
/// <param name="ExpiresAt">Until when the entry answers lookups.</param>
/// <param name="RefreshAt">From when a lookup triggers a refetch (valid entries); equals <paramref name="ExpiresAt"/> for failures.</param>
/// <param name="HadValidUntil">Until when the host counts as having had a valid answer (valid period + remember period).</param>
/// <param name="ConsecutiveFailures">Failures since the last valid answer (drives the back-off).</param>
/// <param name="LastFetch">The latest fetch result (for traces and reports).</param>
public sealed record WellKnownCacheEntry(
    ServerName? Delegation,
    DateTimeOffset FetchedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset RefreshAt,
    DateTimeOffset HadValidUntil,
    int ConsecutiveFailures,
    WellKnownFetchResult LastFetch)
{
    /// <summary>The entry stays in the cache while it answers or while it remembers a valid answer.</summary>
    public long RetainUntilTicks => Math.Max(ExpiresAt.UtcTicks, HadValidUntil.UtcTicks);
}
