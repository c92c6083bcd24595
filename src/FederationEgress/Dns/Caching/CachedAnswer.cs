namespace FederationEgress.Dns.Caching;

/// <summary>
/// One cached answer to one question (name, type), positive or negative. Immutable: updates
/// replace the cache entry.
/// </summary>
/// <typeparam name="T">Record payload.</typeparam>
/// <param name="Fresh">The answer as served while fresh (its ExpiresAt is the clamped TTL).</param>
/// <param name="StaleUntil">Last moment the answer may be served stale (expiry + MaxStale).</param>
/// <param name="Stale">Set after a failed refresh: the answer served stale until <paramref name="RecheckAfter"/>.</param>
/// <param name="RecheckAfter">Until then, failed refreshes are not retried (RFC 8767 "failure recheck").</param>
internal sealed record CachedAnswer<T>(DnsResult<T> Fresh, DateTimeOffset StaleUntil, DnsResult<T>? Stale = null, DateTimeOffset RecheckAfter = default)
{
    public bool IsFresh(DateTimeOffset now) => now < Fresh.ExpiresAt;

    /// <summary>True while a recent failed refresh says "serve stale, do not ask yet".</summary>
    public bool IsInRecheckWindow(DateTimeOffset now) => Stale is not null && now < RecheckAfter && now < StaleUntil;

    public bool CanServeStale(DateTimeOffset now) => now < StaleUntil;
}
