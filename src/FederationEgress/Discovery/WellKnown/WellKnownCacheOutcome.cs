namespace FederationEgress.Discovery.WellKnown;

/// <summary>Where a well-known answer came from.</summary>
public enum WellKnownCacheOutcome
{
    /// <summary>Served from the cache without fetching.</summary>
    Hit,

    /// <summary>Nothing usable was cached: fetched (or joined a running fetch).</summary>
    Miss,

    /// <summary>A cached valid answer in its refresh window was refetched and the new answer used.</summary>
    Refresh,

    /// <summary>The refetch failed temporarily; the still-valid cached delegation was kept (stale-if-error).</summary>
    StaleIfError,

    /// <summary>Fetched without reading or writing the cache (diagnostics).</summary>
    Bypass,
}
