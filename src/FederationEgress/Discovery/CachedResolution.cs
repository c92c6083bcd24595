namespace FederationEgress.Discovery;

/// <summary>A resolution in the resolver's cache, with its expiry and refresh point as <see cref="TimeProvider"/> timestamps.</summary>
internal sealed class CachedResolution
{
    /// <summary>Set to 1 by the first hit that starts a background refresh.</summary>
    public int Refreshing;

    public CachedResolution(Resolution resolution, long expiresTimestamp, long refreshTimestamp, Resolution[]? variants = null)
    {
        Resolution = resolution;
        Variants = variants;
        ExpiresTimestamp = expiresTimestamp;
        RefreshTimestamp = refreshTimestamp;
    }

    public Resolution Resolution { get; }

    /// <summary>Equivalent resolutions with independently drawn SRV orders (RFC 2782 weights), or null when the order is fixed.</summary>
    public Resolution[]? Variants { get; }

    /// <summary>The resolution for one request: a random variant when there are several.</summary>
    public Resolution Pick() => Variants is { } variants ? variants[Random.Shared.Next(variants.Length)] : Resolution;

    /// <summary>After this timestamp the entry no longer answers.</summary>
    public long ExpiresTimestamp { get; }

    /// <summary>From this timestamp a hit starts a background refresh (well-known refresh window).</summary>
    public long RefreshTimestamp { get; }
}
