using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using FederationEgress.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FederationEgress.Resilience;

/// <summary>
/// Synapse-style destination back-off for the proxy. After <see cref="BackoffOptions.FailureThreshold"/>
/// consecutive connection-establishment failures a destination is backed off for
/// <see cref="BackoffOptions.InitialSeconds"/> (jittered): requests fail fast with 503 and
/// Retry-After. When the interval has passed one request is let through as a probe (and the next
/// probe is due one interval later, so a hanging probe cannot open the gate for everyone); a probe
/// that fails multiplies the interval up to <see cref="BackoffOptions.MaxSeconds"/>, any response
/// resets the destination. Failures of requests admitted before back-off engaged do not extend it,
/// so a burst of concurrent requests to a dead server counts once.
/// </summary>
/// <remarks>
/// Only failing destinations are tracked (healthy ones cost one dictionary miss), at most
/// <see cref="BackoffOptions.MaxTrackedDestinations"/>; entries expire one maximum interval after
/// their last failure or retry time and are swept periodically. Neither the meter nor the sweep
/// timer keeps an instance alive: the gauge registration and the timer's state are weak, and
/// <see cref="Dispose"/> takes the instance out of the gauge at once.
/// </remarks>
internal sealed partial class DestinationBackoff : IDestinationBackoff, IDestinationHealth, IDisposable
{
    /// <summary>How often expired entries are swept.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly BackoffOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger<DestinationBackoff> _logger;
    private readonly BackoffMetrics _metrics;
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly ITimer _sweeper;

    // Held here because the gauge only holds it weakly: it lives exactly as long as this instance.
    private readonly Func<long> _activeCount;
    private int _untrackedWarned;
    private volatile bool _disposed;

    public DestinationBackoff(IOptions<BackoffOptions> options, TimeProvider time, Meter meter, ILogger<DestinationBackoff> logger, Random? random = null)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _random = random ?? Random.Shared;
        _initial = TimeSpan.FromSeconds(_options.InitialSeconds);
        _max = TimeSpan.FromSeconds(_options.MaxSeconds);
        _metrics = BackoffMetrics.For(meter);
        _activeCount = CountBackingOff;
        _metrics.RegisterActive(_activeCount);
        _sweeper = time.CreateTimer(
            static s =>
            {
                if (((WeakReference<DestinationBackoff>)s!).TryGetTarget(out var backoff))
                {
                    backoff.Sweep();
                }
            },
            new WeakReference<DestinationBackoff>(this),
            SweepInterval,
            SweepInterval);
    }

    /// <summary>Destinations tracked right now (failing or backed off, expired ones until swept).</summary>
    internal int TrackedCount => _entries.Count;

    public bool TryAdmit(string serverName, out BackoffAdmission admission, [NotNullWhen(false)] out EgressError? rejection)
    {
        rejection = null;
        admission = new BackoffAdmission(serverName, IsProbe: false);
        if (!_options.Enabled || !_entries.TryGetValue(serverName, out var entry))
        {
            return true;
        }

        var now = _time.GetUtcNow();
        lock (entry)
        {
            if (entry.IsExpired(now))
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(serverName, entry));
                return true;
            }

            if (entry.Interval == TimeSpan.Zero)
            {
                return true;
            }

            if (now < entry.RetryAt)
            {
                var wait = entry.RetryAt - now;
                rejection = new EgressError(
                    EgressErrorKind.DestinationBackoff,
                    "back-off",
                    $"{serverName} failed {entry.Failures} consecutive connection attempts (last: {entry.LastError}); not dialling it for another {Math.Ceiling(wait.TotalSeconds):0} s",
                    wait);
                _metrics.Rejected();
                return false;
            }

            // The probe. The next one is due an interval from now even if this one never reports.
            entry.RetryAt = now + entry.Interval;
            entry.ExpiresAt = entry.RetryAt + _max;
            admission = new BackoffAdmission(serverName, IsProbe: true);
            Log.Probing(_logger, serverName, entry.Failures);
            return true;
        }
    }

    public void ReportResponse(in BackoffAdmission admission)
    {
        if (_entries.TryRemove(admission.ServerName, out var entry) && entry.Interval > TimeSpan.Zero)
        {
            Log.Recovered(_logger, admission.ServerName, entry.Failures);
        }
    }

    public void ReportConnectionFailure(in BackoffAdmission admission, EgressError error)
    {
        if (!_options.Enabled || !Counts(error))
        {
            return;
        }

        var name = admission.ServerName;
        var now = _time.GetUtcNow();
        if (!_entries.TryGetValue(name, out var entry))
        {
            if (_entries.Count >= _options.MaxTrackedDestinations)
            {
                Sweep();
                if (_entries.Count >= _options.MaxTrackedDestinations)
                {
                    // Never block what cannot be tracked.
                    if (Interlocked.Exchange(ref _untrackedWarned, 1) == 0)
                    {
                        Log.TrackingFull(_logger, _options.MaxTrackedDestinations);
                    }

                    return;
                }
            }

            entry = _entries.GetOrAdd(name, static _ => new Entry());
        }

        lock (entry)
        {
            if (entry.IsExpired(now))
            {
                entry.Reset();
            }

            entry.LastError = error;
            entry.LastFailureAt = now;
            if (entry.Interval > TimeSpan.Zero && !admission.IsProbe)
            {
                // Admitted before back-off engaged (or before the current probe): already accounted for.
                return;
            }

            entry.Failures++;
            entry.ExpiresAt = now + _max;
            if (entry.Failures < _options.FailureThreshold)
            {
                return;
            }

            var engaged = entry.Interval == TimeSpan.Zero;
            entry.Interval = engaged ? _initial : Min(entry.Interval * _options.Multiplier, _max);
            entry.RetryAt = now + Jitter(entry.Interval);
            entry.ExpiresAt = entry.RetryAt + _max;
            if (engaged)
            {
                entry.BackingOffSince = now;
                Log.Engaged(_logger, name, entry.Failures, entry.Interval.TotalSeconds, error.ToString());
            }
            else
            {
                Log.Extended(_logger, name, entry.Failures, entry.Interval.TotalSeconds, error.ToString());
            }
        }
    }

    public DestinationHealthState GetState(string serverName)
    {
        ArgumentNullException.ThrowIfNull(serverName);
        return _entries.TryGetValue(serverName, out var entry) && Snapshot(serverName, entry, _time.GetUtcNow()) is { } state
            ? state
            : DestinationHealthState.Healthy(serverName);
    }

    public IReadOnlyList<DestinationHealthState> GetUnhealthy()
    {
        var now = _time.GetUtcNow();
        var list = new List<DestinationHealthState>();
        foreach (var (name, entry) in _entries)
        {
            if (Snapshot(name, entry, now) is { } state)
            {
                list.Add(state);
            }
        }

        list.Sort(static (a, b) => string.CompareOrdinal(a.ServerName, b.ServerName));
        return list;
    }

    public void Dispose()
    {
        _disposed = true;
        _sweeper.Dispose();
    }

    /// <summary>Removes expired entries.</summary>
    internal void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var pair in _entries)
        {
            bool expired;
            lock (pair.Value)
            {
                expired = pair.Value.IsExpired(now);
            }

            if (expired)
            {
                _entries.TryRemove(pair);
            }
        }
    }

    /// <summary>Only failures to reach the destination count; policy refusals and everything after connecting do not.</summary>
    private static bool Counts(EgressError error) => error.Kind switch
    {
        EgressErrorKind.ConnectFailed or EgressErrorKind.TlsFailed => true,
        EgressErrorKind.Timeout => error.Step is "connect" or "tls",
        _ => false,
    };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static DestinationHealthState? Snapshot(string name, Entry entry, DateTimeOffset now)
    {
        lock (entry)
        {
            if (entry.IsExpired(now) || entry.Failures == 0)
            {
                return null;
            }

            var backingOff = entry.Interval > TimeSpan.Zero;
            return new DestinationHealthState(
                name,
                backingOff ? DestinationHealthStatus.BackingOff : DestinationHealthStatus.Failing,
                entry.Failures,
                backingOff ? entry.Interval : null,
                backingOff ? entry.RetryAt : null,
                entry.BackingOffSince,
                entry.LastFailureAt,
                entry.LastError);
        }
    }

    private TimeSpan Jitter(TimeSpan interval)
    {
        var fraction = _options.JitterFraction;
        if (fraction <= 0)
        {
            return interval;
        }

        double u;
        lock (_random)
        {
            u = (_random.NextDouble() * 2) - 1;
        }

        return interval * (1 + (u * fraction));
    }

    private long CountBackingOff()
    {
        if (_disposed)
        {
            return 0;
        }

        var now = _time.GetUtcNow();
        var count = 0L;
        foreach (var pair in _entries)
        {
            lock (pair.Value)
            {
                if (pair.Value.Interval > TimeSpan.Zero && !pair.Value.IsExpired(now))
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>Mutable per-destination state; guarded by locking the entry.</summary>
    private sealed class Entry
    {
        public int Failures;
        public TimeSpan Interval;
        public DateTimeOffset RetryAt;
        public DateTimeOffset? BackingOffSince;
        public DateTimeOffset? LastFailureAt;
        public EgressError? LastError;
        public DateTimeOffset ExpiresAt = DateTimeOffset.MaxValue;

        public bool IsExpired(DateTimeOffset now) => now >= ExpiresAt;

        public void Reset()
        {
            Failures = 0;
            Interval = TimeSpan.Zero;
            RetryAt = default;
            BackingOffSince = null;
            LastFailureAt = null;
            LastError = null;
            ExpiresAt = DateTimeOffset.MaxValue;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(8000, LogLevel.Warning, "Backing off {ServerName} for {IntervalSeconds} s after {Failures} consecutive connection failures (last: {LastError}); requests get 503 with Retry-After meanwhile")]
        public static partial void Engaged(ILogger logger, string serverName, int failures, double intervalSeconds, string lastError);

        [LoggerMessage(8001, LogLevel.Information, "Probe of backed-off {ServerName} failed; backing off for {IntervalSeconds} s ({Failures} consecutive failures, last: {LastError})")]
        public static partial void Extended(ILogger logger, string serverName, int failures, double intervalSeconds, string lastError);

        [LoggerMessage(8002, LogLevel.Information, "{ServerName} answered again after {Failures} consecutive connection failures; back-off lifted")]
        public static partial void Recovered(ILogger logger, string serverName, int failures);

        [LoggerMessage(8003, LogLevel.Debug, "Letting one probe request through to backed-off {ServerName} ({Failures} consecutive failures)")]
        public static partial void Probing(ILogger logger, string serverName, int failures);

        [LoggerMessage(8004, LogLevel.Warning, "Back-off tracks {Max} failing destinations already (Backoff:MaxTrackedDestinations); further failing destinations are not backed off")]
        public static partial void TrackingFull(ILogger logger, int max);
    }
}
