namespace FederationEgress.Discovery;

/// <summary>A resolution in the resolver's cache, with its expiry and refresh point as <see cref="TimeProvider"/> timestamps.</summary>
internal sealed class CachedResolution
{
    private long _refreshTimestamp;

    public CachedResolution(Resolution resolution, long expiresTimestamp, long refreshTimestamp, Resolution[]? variants = null)
    {
        Resolution = resolution;
        Variants = variants;
        ExpiresTimestamp = expiresTimestamp;
        _refreshTimestamp = refreshTimestamp;
    }

    public Resolution Resolution { get; }

    /// <summary>Equivalent resolutions with independently drawn SRV orders (RFC 2782 weights), or null when the order is fixed.</summary>
    public Resolution[]? Variants { get; }

    /// <summary>The resolution for one request: a random variant when there are several.</summary>
    public Resolution Pick() => Variants is { } variants ? variants[Random.Shared.Next(variants.Length)] : Resolution;

    /// <summary>After this timestamp the entry no longer answers.</summary>
    public long ExpiresTimestamp { get; }

    /// <summary>From this timestamp a hit starts a background refresh (well-known refresh window).</summary>
    public long RefreshTimestamp => Volatile.Read(ref _refreshTimestamp);

    /// <summary>
    /// True for exactly one caller once the refresh point has passed: it moves the refresh point to
    /// never, so later hits do not start another refresh. (A flag field would cost 8 bytes per cached
    /// destination.) The entry is replaced when the refresh ends, successfully or not.
    /// </summary>
    public bool TryClaimRefresh(long now)
    {
        var refresh = Volatile.Read(ref _refreshTimestamp);
        return now >= refresh && Interlocked.CompareExchange(ref _refreshTimestamp, long.MaxValue, refresh) == refresh;
    }
}
