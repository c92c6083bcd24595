namespace FederationEgress.Discovery;

/// <summary>
/// Server discovery settings, bound from the <c>Discovery</c> configuration section. Defaults follow
/// Synapse's well-known resolver (see docs/discovery.md for the rules each key drives).
/// </summary>
public sealed class DiscoveryOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Discovery";

    /// <summary>Total time for one well-known fetch, redirects and retries included (seconds).</summary>
    public int WellKnownTimeoutSeconds { get; set; } = 10;

    /// <summary>Largest well-known body accepted (bytes); larger is an invalid response (temporary failure).</summary>
    public int WellKnownMaxBodyBytes { get; set; } = 51_200;

    /// <summary>Most redirects followed for one well-known fetch.</summary>
    public int WellKnownMaxRedirects { get; set; } = 5;

    /// <summary>Cache period of a valid well-known without usable cache headers (seconds; jittered).</summary>
    public int WellKnownDefaultCacheSeconds { get; set; } = 86_400;

    /// <summary>Lower clamp for header-derived periods; also what no-store/no-cache/max-age=0 mean (seconds).</summary>
    public int WellKnownMinCacheSeconds { get; set; } = 300;

    /// <summary>Upper clamp for header-derived periods (seconds).</summary>
    public int WellKnownMaxCacheSeconds { get; set; } = 172_800;

    /// <summary>Cache period of a failed lookup for a domain without a recent valid answer; also the back-off cap (seconds; jittered).</summary>
    public int WellKnownInvalidCacheSeconds { get; set; } = 3_600;

    /// <summary>First cache period of a failure when the domain had a valid answer recently; doubles per repeated failure (seconds; jittered).</summary>
    public int WellKnownDownCacheSeconds { get; set; } = 120;

    /// <summary>How long after a valid answer's period ends the domain still counts as "had valid" (seconds).</summary>
    public int WellKnownRememberValidSeconds { get; set; } = 7_200;

    /// <summary>Refresh in the background once this fraction of a valid answer's lifetime remains.</summary>
    public double WellKnownRefreshFraction { get; set; } = 0.2;

    /// <summary>Relative jitter applied to the default and failure periods (0.1 = ±10 %).</summary>
    public double CacheJitterFraction { get; set; } = 0.1;

    /// <summary>Attempts per fetch when the domain had a valid answer recently (temporary failures only).</summary>
    public int WellKnownRetryAttempts { get; set; } = 3;

    /// <summary>Pause between those attempts (milliseconds).</summary>
    public int WellKnownRetryDelayMilliseconds { get; set; } = 500;

    /// <summary>Most server names kept in each discovery cache (resolutions, well-known answers).</summary>
    public int MaxCachedServers { get; set; } = 100_000;

    /// <summary>How long a resolution built from stale DNS data (RFC 8767) is cached before it is retried (seconds).</summary>
    public int StaleResolutionSeconds { get; set; } = 30;
}
