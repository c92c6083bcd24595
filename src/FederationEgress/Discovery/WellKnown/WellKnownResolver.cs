using FederationEgress.Caching;
using FederationEgress.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Discovery.WellKnown;

/// <summary>
/// The well-known cache in front of <see cref="WellKnownFetcher"/>: one entry per host, periods from
/// <see cref="WellKnownCachePolicy"/>, refresh-ahead once <c>WellKnownRefreshFraction</c> of a valid
/// answer's lifetime remains (the cached answer is served meanwhile), stale-if-error for temporary
/// failures while a valid answer is cached, and one fetch in flight per URL.
/// </summary>
internal sealed partial class WellKnownResolver
{
    private readonly WellKnownFetcher _fetcher;
    private readonly DiscoveryOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly BoundedExpiringCache<string, WellKnownCacheEntry> _cache;
    private readonly SingleFlight<string, (WellKnownCacheEntry Entry, WellKnownCacheOutcome Outcome)> _fetches = new(StringComparer.Ordinal);

    public WellKnownResolver(WellKnownFetcher fetcher, IOptions<DiscoveryOptions> options, TimeProvider time, ILogger<WellKnownResolver> logger, Random? random = null)
    {
        _fetcher = fetcher;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared;
        _cache = new BoundedExpiringCache<string, WellKnownCacheEntry>(
            _options.MaxCachedServers,
            static e => e.RetainUntilTicks,
            () => _time.GetUtcNow().UtcTicks,
            StringComparer.Ordinal);
    }

    /// <summary>Hosts in the cache.</summary>
    public int Count => _cache.Count;

    /// <summary>The cached entry for <paramref name="host"/>, expired or not (diagnostics).</summary>
    public WellKnownCacheEntry? Peek(string host) => _cache.TryGetValue(host, out var entry) ? entry : null;

    /// <summary>
    /// Looks up the delegation of <paramref name="host"/> (lower-case DNS name). A cached answer
    /// completes synchronously; in its refresh window a background refetch starts, unless
    /// <paramref name="awaitRefresh"/> asks to wait for it (used when refreshing a resolution).
    /// </summary>
    public ValueTask<WellKnownLookup> LookupAsync(string host, bool awaitRefresh, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(host, out var entry) && now < entry.ExpiresAt)
        {
            if (entry.Delegation is not null && now >= entry.RefreshAt)
            {
                if (awaitRefresh)
                {
                    return new ValueTask<WellKnownLookup>(FetchAsync(host, cancellationToken));
                }

                StartBackgroundRefresh(host);
            }

            EgressMetrics.Default.WellKnownFetched(EgressTagValues.WellKnownCached);
            return new ValueTask<WellKnownLookup>(new WellKnownLookup(entry.Delegation, entry.ExpiresAt, entry.RefreshAt, WellKnownCacheOutcome.Hit, entry.LastFetch));
        }

        return new ValueTask<WellKnownLookup>(FetchAsync(host, cancellationToken));
    }

    /// <summary>Fetches without reading or writing the cache and without retries (diagnostic reports).</summary>
    public async Task<WellKnownLookup> FetchUncachedAsync(string host, CancellationToken cancellationToken)
    {
        var result = await _fetcher.FetchAsync(host, retry: false, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var period = result.Outcome == WellKnownOutcome.Valid
            ? WellKnownCachePolicy.ValidPeriod(result.HeaderCachePeriod, _options, _random)
            : WellKnownCachePolicy.FailurePeriod(false, 1, _options, _random);
        return new WellKnownLookup(result.Delegation, now + period, now + period, WellKnownCacheOutcome.Bypass, result);
    }

    private async Task<WellKnownLookup> FetchAsync(string host, CancellationToken cancellationToken)
    {
        var (entry, outcome) = await _fetches.RunAsync(host, this, static (h, self) => self.FetchAndStoreAsync(h), cancellationToken).ConfigureAwait(false);
        return new WellKnownLookup(entry.Delegation, entry.ExpiresAt, entry.RefreshAt, outcome, entry.LastFetch);
    }

    private void StartBackgroundRefresh(string host)
    {
        // Detach from the request's execution context so the refetch is not parented to its span.
        Task<(WellKnownCacheEntry, WellKnownCacheOutcome)> task;
        using (ExecutionContext.SuppressFlow())
        {
            task = _fetches.RunAsync(host, this, static (h, self) => self.FetchAndStoreAsync(h));
        }

        _ = task.ContinueWith(
            static (t, state) => Log.RefreshFailed((ILogger)state!, t.Exception!),
            _logger,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task<(WellKnownCacheEntry, WellKnownCacheOutcome)> FetchAndStoreAsync(string host)
    {
        _cache.TryGetValue(host, out var previous);
        var started = _time.GetUtcNow();
        var hadValid = previous is not null && started < previous.HadValidUntil;
        var result = await _fetcher.FetchAsync(host, retry: hadValid, CancellationToken.None).ConfigureAwait(false);
        EgressMetrics.Default.WellKnownFetched(MetricResult(result));

        var now = _time.GetUtcNow();
        var previousValid = previous is { Delegation: not null } && now < previous.ExpiresAt;
        WellKnownCacheEntry entry;
        WellKnownCacheOutcome outcome;
        if (result.Outcome == WellKnownOutcome.Valid)
        {
            var period = WellKnownCachePolicy.ValidPeriod(result.HeaderCachePeriod, _options, _random);
            entry = new WellKnownCacheEntry(
                result.Delegation,
                now,
                now + period,
                WellKnownCachePolicy.RefreshAt(now, period, _options),
                now + period + TimeSpan.FromSeconds(_options.WellKnownRememberValidSeconds),
                0,
                result);
            outcome = previousValid ? WellKnownCacheOutcome.Refresh : WellKnownCacheOutcome.Miss;
            Log.Valid(_logger, host, result.Delegation!.Value, period);
        }
        else if (result.Outcome == WellKnownOutcome.TemporaryFailure && previousValid)
        {
            // Stale-if-error: keep the delegation until it expires; refetch again after a back-off.
            var failures = previous!.ConsecutiveFailures + 1;
            var backoff = WellKnownCachePolicy.FailurePeriod(true, failures, _options, _random);
            var retryAt = now + backoff;
            entry = previous with
            {
                RefreshAt = retryAt < previous.ExpiresAt ? retryAt : previous.ExpiresAt,
                ConsecutiveFailures = failures,
                LastFetch = result,
            };
            outcome = WellKnownCacheOutcome.StaleIfError;
            Log.StaleIfError(_logger, host, previous.Delegation!.Value, result.Message, previous.ExpiresAt);
        }
        else
        {
            var failures = (previous?.ConsecutiveFailures ?? 0) + 1;
            var recent = previous is not null && now < previous.HadValidUntil;
            var period = WellKnownCachePolicy.FailurePeriod(recent, failures, _options, _random);
            entry = new WellKnownCacheEntry(
                null,
                now,
                now + period,
                now + period,
                previous?.HadValidUntil ?? DateTimeOffset.MinValue,
                failures,
                result);
            outcome = WellKnownCacheOutcome.Miss;
            if (previousValid)
            {
                Log.DelegationDropped(_logger, host, previous!.Delegation!.Value, result.Message);
            }

            Log.FailureCached(_logger, host, result.OutcomeName, result.Message, period, failures);
        }

        _cache.Set(host, entry);
        return (entry, outcome);
    }

    private static partial class Log
    {
        [LoggerMessage(2020, LogLevel.Debug, "Well-known of {Host} delegates to {Delegation}; cached for {Period}")]
        public static partial void Valid(ILogger logger, string host, string delegation, TimeSpan period);

        [LoggerMessage(2021, LogLevel.Warning, "Refreshing the well-known of {Host} failed ({Reason}); still using {Delegation} until {ExpiresAt}")]
        public static partial void StaleIfError(ILogger logger, string host, string delegation, string reason, DateTimeOffset expiresAt);

        [LoggerMessage(2022, LogLevel.Warning, "The well-known of {Host} no longer delegates ({Reason}); dropping {Delegation}")]
        public static partial void DelegationDropped(ILogger logger, string host, string delegation, string reason);

        [LoggerMessage(2023, LogLevel.Debug, "No delegation for {Host}: {Outcome} ({Reason}); cached for {Period} (failure {Failures} in a row)")]
        public static partial void FailureCached(ILogger logger, string host, string outcome, string reason, TimeSpan period, int failures);

        [LoggerMessage(2024, LogLevel.Error, "Background well-known refresh failed unexpectedly")]
        public static partial void RefreshFailed(ILogger logger, Exception exception);
    }

    // The metric's result: low-cardinality classes operators alert on (docs/observability.md).
    private static string MetricResult(WellKnownFetchResult result) => result.Failure switch
    {
        WellKnownFailure.None => EgressTagValues.WellKnownDelegated,
        WellKnownFailure.HttpStatus => EgressTagValues.WellKnownNotFound,
        WellKnownFailure.InvalidJson or WellKnownFailure.NotAnObject or WellKnownFailure.MissingServer
            or WellKnownFailure.InvalidServer or WellKnownFailure.InvalidRedirect => EgressTagValues.WellKnownInvalid,
        WellKnownFailure.Timeout => EgressTagValues.WellKnownTimeout,
        _ => EgressTagValues.WellKnownError,
    };
}
