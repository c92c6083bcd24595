using FederationEgress.ServerNames;

namespace FederationEgress.Discovery.WellKnown;

/// <summary>The answer to "is this host delegated?" from the well-known cache.</summary>
/// <param name="Delegation">The delegated server name, or null: go to step 4.</param>
/// <param name="ExpiresAt">Until when this answer holds.</param>
/// <param name="RefreshAt">From when it should be refreshed.</param>
/// <param name="Cache">Hit, miss, refresh, stale-if-error or bypass.</param>
/// <param name="Fetch">The fetch behind the answer (the cached one for hits).</param>
public readonly record struct WellKnownLookup(
    ServerName? Delegation,
    DateTimeOffset ExpiresAt,
    DateTimeOffset RefreshAt,
    WellKnownCacheOutcome Cache,
    WellKnownFetchResult Fetch)
{
    /// <summary>snake_case cache outcome for traces and metrics.</summary>
    public string CacheName => Cache switch
    {
        WellKnownCacheOutcome.Hit => "hit",
        WellKnownCacheOutcome.Miss => "miss",
        WellKnownCacheOutcome.Refresh => "refresh",
        WellKnownCacheOutcome.StaleIfError => "stale_if_error",
        _ => "bypass",
    };
}
