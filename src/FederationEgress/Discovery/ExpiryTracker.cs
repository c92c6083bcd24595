namespace FederationEgress.Discovery;

/// <summary>
/// The earliest expiry among a resolution's inputs. An input already past its expiry (stale DNS
/// data served under RFC 8767) counts as expiring <c>StaleResolutionSeconds</c> from now, so the
/// resolution is retried soon without being rebuilt on every request.
/// </summary>
internal sealed class ExpiryTracker
{
    private readonly DateTimeOffset _now;
    private readonly TimeSpan _staleRetry;

    public ExpiryTracker(DateTimeOffset now, TimeSpan staleRetry)
    {
        _now = now;
        _staleRetry = staleRetry;
    }

    /// <summary>The earliest expiry included so far, or null when none was.</summary>
    public DateTimeOffset? Value { get; private set; }

    public void Include(DateTimeOffset expiresAt, bool stale = false)
    {
        var staleUntil = _now + _staleRetry;
        if (expiresAt <= _now || (stale && expiresAt > staleUntil))
        {
            expiresAt = staleUntil;
        }

        if (Value is null || expiresAt < Value)
        {
            Value = expiresAt;
        }
    }
}
