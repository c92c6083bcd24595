namespace FederationEgress.Discovery.WellKnown;

/// <summary>
/// The well-known cache periods (pure functions of the options, the history and a random source):
/// <list type="bullet">
/// <item>valid, headers give a period: clamp(period, min, max), no jitter;</item>
/// <item>valid, no usable headers: default × U(1 − j, 1 + j);</item>
/// <item>failure, domain had a valid answer within its period + remember: down × 2^(n−1) capped at
/// invalid, × U(1 − j, 1 + j), where n counts failures since the last valid answer
/// (defaults: 2, 4, 8, 16, 32, 60, 60 … min);</item>
/// <item>failure otherwise: invalid × U(1 − j, 1 + j).</item>
/// </list>
/// </summary>
public static class WellKnownCachePolicy
{
    /// <summary>How long to cache a valid answer.</summary>
    public static TimeSpan ValidPeriod(TimeSpan? headerPeriod, DiscoveryOptions options, Random random)
    {
        if (headerPeriod is { } period)
        {
            var min = TimeSpan.FromSeconds(options.WellKnownMinCacheSeconds);
            var max = TimeSpan.FromSeconds(options.WellKnownMaxCacheSeconds);
            return period < min ? min : period > max ? max : period;
        }

        return Jitter(TimeSpan.FromSeconds(options.WellKnownDefaultCacheSeconds), options.CacheJitterFraction, random);
    }

    /// <summary>How long to cache the <paramref name="consecutiveFailures"/>-th failure in a row.</summary>
    public static TimeSpan FailurePeriod(bool hadValidRecently, int consecutiveFailures, DiscoveryOptions options, Random random)
    {
        var cap = (double)options.WellKnownInvalidCacheSeconds;
        double seconds;
        if (hadValidRecently)
        {
            var exponent = Math.Clamp(consecutiveFailures - 1, 0, 30);
            seconds = Math.Min(options.WellKnownDownCacheSeconds * Math.Pow(2, exponent), cap);
        }
        else
        {
            seconds = cap;
        }

        return Jitter(TimeSpan.FromSeconds(seconds), options.CacheJitterFraction, random);
    }

    /// <summary>When to start refreshing a valid answer cached for <paramref name="period"/> from <paramref name="fetchedAt"/>.</summary>
    public static DateTimeOffset RefreshAt(DateTimeOffset fetchedAt, TimeSpan period, DiscoveryOptions options) =>
        fetchedAt + (period * (1 - options.WellKnownRefreshFraction));

    /// <summary>Multiplies <paramref name="period"/> by U(1 − fraction, 1 + fraction).</summary>
    public static TimeSpan Jitter(TimeSpan period, double fraction, Random random) =>
        fraction <= 0 ? period : period * (1 - fraction + (2 * fraction * random.NextDouble()));
}
