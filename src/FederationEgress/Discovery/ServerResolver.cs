using System.Diagnostics;
using FederationEgress.Caching;
using FederationEgress.Diagnostics;
using FederationEgress.Discovery.WellKnown;
using FederationEgress.Dns;
using FederationEgress.Errors;
using FederationEgress.ServerNames;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Discovery;

/// <summary>
/// The spec's server discovery (see <see cref="ResolveCoreAsync"/> for the steps) behind a bounded
/// cache. A cache hit is a dictionary read and a timestamp compare in a non-async method and
/// completes synchronously without allocating; a miss joins the one discovery in flight for that
/// server name. Entries expire at <see cref="Resolution.ExpiresAt"/> (the earliest expiry of the
/// well-known, SRV and address answers used) and are refreshed in the background once the
/// well-known answer behind them enters its refresh window.
/// </summary>
internal sealed partial class ServerResolver : IServerResolver, IServerResolverDiagnostics, IDisposable
{
    /// <summary>The port used when neither the name, the delegation nor SRV gives one.</summary>
    public const int DefaultFederationPort = 8448;

    private readonly IDnsResolver _dns;
    private readonly WellKnownResolver _wellKnown;
    private readonly DiscoveryOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly BoundedExpiringCache<string, CachedResolution> _cache;
    private readonly SingleFlight<string, Resolution> _flights = new(StringComparer.Ordinal);
    private readonly Func<long> _cacheCount;
    private readonly CoarseClock _clock;

    public ServerResolver(
        IDnsResolver dns,
        WellKnownResolver wellKnown,
        IOptions<DiscoveryOptions> options,
        TimeProvider time,
        ILogger<ServerResolver> logger,
        Random? random = null)
    {
        _dns = dns;
        _wellKnown = wellKnown;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared;
        _cache = new BoundedExpiringCache<string, CachedResolution>(
            _options.MaxCachedServers,
            static e => e.ExpiresTimestamp,
            _time.GetTimestamp,
            StringComparer.Ordinal);
        _clock = new CoarseClock(time);
        _cacheCount = () => _cache.Count;
        EgressMetrics.Default.RegisterResolutionCache(_cacheCount);
    }

    /// <summary>Server names in the resolution cache.</summary>
    public int CachedCount => _cache.Count;

    /// <summary>Well-known hosts in the well-known cache.</summary>
    public int CachedWellKnownCount => _wellKnown.Count;

    /// <summary>Discoveries and background refreshes running now (tests wait for quiescence with it).</summary>
    internal int InFlightCount => _flights.InFlightCount;

    /// <inheritdoc />
    public ValueTask<Resolution> ResolveAsync(ServerName serverName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serverName);

        // Hot path: no async state machine, no closure, no allocation, no clock read (coarse clock).
        if (_cache.TryGetValue(serverName.Value, out var cached))
        {
            var now = _clock.Now;
            if (now < cached.ExpiresTimestamp)
            {
                if (now >= cached.RefreshTimestamp && cached.TryClaimRefresh(now))
                {
                    StartRefresh(serverName, cached);
                }

                var resolution = cached.Pick();
                RecordHit(serverName, resolution);
                return new ValueTask<Resolution>(resolution);
            }
        }

        return new ValueTask<Resolution>(ResolveMissAsync(serverName, cancellationToken));
    }

    public void Dispose() => _clock.Dispose();

    /// <inheritdoc />
    public async Task<DiscoveryReport> ResolveWithReportAsync(ServerName serverName, bool bypassCache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serverName);
        var trace = new DiscoveryTrace();
        var startedAt = _time.GetUtcNow();
        var start = _time.GetTimestamp();
        string cache;
        Resolution? resolution = null;
        EgressError? error = null;
        if (!bypassCache && _cache.TryGetValue(serverName.Value, out var cached) && start < cached.ExpiresTimestamp)
        {
            cache = "hit";
            resolution = cached.Resolution;
            trace.Add(new DiscoveryTraceStep("cache", serverName.Value, "hit", $"cached resolution ({DiscoveryTelemetry.StepName(resolution.Step)})", resolution.Endpoints.Select(e => e.ToString()).ToArray(), resolution.ExpiresAt, false, TimeSpan.Zero));
        }
        else
        {
            cache = bypassCache ? "bypass" : "miss";
            using var activity = StartResolveActivity(serverName, cache);
            try
            {
                var outcome = await ResolveCoreAsync(serverName, trace, bypassCache, awaitRefresh: false, cancellationToken).ConfigureAwait(false);
                resolution = outcome.Resolution;
                if (!bypassCache)
                {
                    Store(serverName, outcome);
                }

                Completed(activity, serverName, resolution, cache, start);
            }
            catch (EgressException ex)
            {
                error = ex.Error;
                Failed(activity, serverName, ex.Error, cache, start);
            }
        }

        return new DiscoveryReport
        {
            ServerName = serverName.Value,
            StartedAt = startedAt,
            Duration = _time.GetElapsedTime(start),
            Cache = cache,
            Resolution = resolution,
            Error = error,
            Steps = trace.Steps,
            WellKnownCacheEntry = serverName.IsIpLiteral || serverName.Port is not null ? null : _wellKnown.Peek(serverName.DnsHost),
        };
    }

    private async Task<Resolution> ResolveMissAsync(ServerName serverName, CancellationToken cancellationToken)
    {
        var start = _time.GetTimestamp();
        using var activity = StartResolveActivity(serverName, "miss");
        try
        {
            var resolution = await _flights.RunAsync(
                serverName.Value,
                (Resolver: this, Name: serverName),
                static (_, s) => s.Resolver.ResolveAndStoreAsync(s.Name),
                cancellationToken).ConfigureAwait(false);
            Completed(activity, serverName, resolution, "miss", start);
            return resolution;
        }
        catch (EgressException ex)
        {
            Failed(activity, serverName, ex.Error, "miss", start);
            throw;
        }
    }

    private async Task<Resolution> ResolveAndStoreAsync(ServerName serverName)
    {
        // A caller that missed the cache just before the previous flight stored its result and left
        // starts a new flight: answer it from the cache rather than resolving (from caches) again.
        if (_cache.TryGetValue(serverName.Value, out var cached) && _time.GetTimestamp() < cached.ExpiresTimestamp)
        {
            return cached.Pick();
        }

        var outcome = await ResolveCoreAsync(serverName, trace: null, bypassCache: false, awaitRefresh: false, CancellationToken.None).ConfigureAwait(false);
        Store(serverName, outcome);
        return outcome.Resolution;
    }

    private void StartRefresh(ServerName serverName, CachedResolution cached)
    {
        // Detach from the triggering request: the refresh is its own root span.
        Task<Resolution> task;
        using (ExecutionContext.SuppressFlow())
        {
            task = _flights.RunAsync(
                serverName.Value,
                (Resolver: this, Name: serverName, Cached: cached),
                static (_, s) => s.Resolver.RefreshAsync(s.Name, s.Cached));
        }

        _ = task.ContinueWith(
            static (t, state) => Log.RefreshFaulted((ILogger)state!, t.Exception!.GetBaseException()),
            _logger,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task<Resolution> RefreshAsync(ServerName serverName, CachedResolution cached)
    {
        var start = _time.GetTimestamp();
        using var activity = StartResolveActivity(serverName, "refresh");
        try
        {
            var outcome = await ResolveCoreAsync(serverName, trace: null, bypassCache: false, awaitRefresh: true, CancellationToken.None).ConfigureAwait(false);
            Store(serverName, outcome);
            Completed(activity, serverName, outcome.Resolution, "refresh", start);
            return outcome.Resolution;
        }
        catch (EgressException ex)
        {
            // Keep serving what is cached until it expires; the next request after that resolves afresh.
            _cache.Replace(serverName.Value, cached, new CachedResolution(cached.Resolution, cached.ExpiresTimestamp, cached.ExpiresTimestamp, cached.Variants));
            Failed(activity, serverName, ex.Error, "refresh", start);
            Log.RefreshFailed(_logger, serverName.Value, ex.Error.ToString());
            throw;
        }
    }

    private void Store(ServerName serverName, ResolveOutcome outcome)
    {
        var resolution = outcome.Resolution;
        var nowUtc = _time.GetUtcNow();
        var now = _clock.Refresh();
        var expires = resolution.ExpiresAt is { } expiresAt ? now + ToTimestampTicks(expiresAt - nowUtc) : long.MaxValue;
        if (expires <= now)
        {
            return;
        }

        var refresh = outcome.RefreshAt is { } refreshAt ? Math.Min(now + ToTimestampTicks(refreshAt - nowUtc), expires) : expires;
        _cache.Set(serverName.Value, new CachedResolution(resolution, expires, refresh, outcome.Variants));
    }

    private long ToTimestampTicks(TimeSpan span)
    {
        var ticks = span.TotalSeconds * _time.TimestampFrequency;
        return ticks >= long.MaxValue / 2 ? long.MaxValue / 2 : (long)ticks;
    }

    // Hits are counted but not timed (EgressMetrics.ResolutionCacheHit): timing would cost two clock reads, more than the hit itself.
    private static void RecordHit(ServerName serverName, Resolution resolution)
    {
        if (EgressTelemetry.ActivitySource.HasListeners())
        {
            TraceHit(serverName, resolution);
        }

        EgressMetrics.Default.ResolutionCacheHit(resolution.Step);
    }

    private static void TraceHit(ServerName serverName, Resolution resolution)
    {
        using var activity = EgressTelemetry.ActivitySource.StartActivity(DiscoveryTelemetry.ResolveActivity);
        if (activity is { IsAllDataRequested: true })
        {
            SetResolutionTags(activity, serverName, resolution, "hit");
        }
    }

    private static Activity? StartResolveActivity(ServerName serverName, string cache)
    {
        var activity = EgressTelemetry.ActivitySource.StartActivity(DiscoveryTelemetry.ResolveActivity);
        activity?.SetTag(DiscoveryTelemetry.ServerNameTag, serverName.Value);
        activity?.SetTag(DiscoveryTelemetry.CacheTag, cache);
        return activity;
    }

    private void Completed(Activity? activity, ServerName serverName, Resolution resolution, string cache, long start)
    {
        if (activity is not null)
        {
            SetResolutionTags(activity, serverName, resolution, cache);
        }

        EgressMetrics.Default.ResolutionCompleted(resolution.Step, cache, error: null, _time.GetElapsedTime(start));
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            Log.Resolved(_logger, serverName.Value, DiscoveryTelemetry.StepName(resolution.Step), resolution.HostHeader, resolution.TlsName ?? "(ip)", string.Join(",", resolution.Endpoints));
        }
    }

    private void Failed(Activity? activity, ServerName serverName, EgressError error, string cache, long start)
    {
        var type = EgressErrorMapper.TypeName(error.Kind);
        if (activity is not null)
        {
            activity.SetTag(DiscoveryTelemetry.ServerNameTag, serverName.Value);
            activity.SetTag(DiscoveryTelemetry.CacheTag, cache);
            activity.SetTag(DiscoveryTelemetry.ErrorTypeTag, type);
            activity.SetStatus(ActivityStatusCode.Error, error.ToString());
        }

        EgressMetrics.Default.ResolutionCompleted(step: null, cache, error.Kind, _time.GetElapsedTime(start));
        Log.ResolveFailed(_logger, serverName.Value, error.ToString());
    }

    private static void SetResolutionTags(Activity activity, ServerName serverName, Resolution resolution, string cache)
    {
        activity.SetTag(DiscoveryTelemetry.ServerNameTag, serverName.Value);
        activity.SetTag(DiscoveryTelemetry.StepTag, DiscoveryTelemetry.StepName(resolution.Step));
        activity.SetTag(DiscoveryTelemetry.DelegatedNameTag, resolution.DelegatedName);
        activity.SetTag(DiscoveryTelemetry.HostHeaderTag, resolution.HostHeader);
        activity.SetTag(DiscoveryTelemetry.TlsNameTag, resolution.TlsName);
        activity.SetTag(DiscoveryTelemetry.EndpointsTag, string.Join(",", resolution.Endpoints));
        activity.SetTag(DiscoveryTelemetry.CacheTag, cache);
        activity.SetTag(DiscoveryTelemetry.ExpiresAtTag, resolution.ExpiresAt?.ToString("O"));
    }
}
