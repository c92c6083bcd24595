namespace FederationEgress.Caching;

/// <summary>
/// A <see cref="TimeProvider"/> timestamp refreshed by a timer every <see cref="Resolution"/>, read
/// with one volatile load. Cache hit paths use it instead of <see cref="TimeProvider.GetTimestamp"/>,
/// which costs hundreds of nanoseconds on VMs without a fast clock source. Entries may therefore
/// live up to one resolution past their expiry. The timer holds the clock weakly and stops itself
/// once the clock is collected or disposed.
/// </summary>
public sealed class CoarseClock : IDisposable
{
    /// <summary>How often the timestamp is refreshed.</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(50);

    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private long _now;

    public CoarseClock(TimeProvider time)
    {
        _time = time;
        _now = time.GetTimestamp();
        _timer = time.CreateTimer(static state => Tick((WeakReference<CoarseClock>)state!), new WeakReference<CoarseClock>(this), Resolution, Resolution);
    }

    /// <summary>The provider's timestamp as of the last tick (at most <see cref="Resolution"/> old).</summary>
    public long Now => Volatile.Read(ref _now);

    /// <summary>Reads the exact time and publishes it, never moving the published value backwards.</summary>
    public long Refresh()
    {
        var now = _time.GetTimestamp();

        // A caller that read the time just before a timer tick must not publish its older value
        // after the tick: the clock would step back and serve entries that had already expired.
        var published = Volatile.Read(ref _now);
        while (now > published)
        {
            var seen = Interlocked.CompareExchange(ref _now, now, published);
            if (seen == published)
            {
                return now;
            }

            published = seen;
        }

        return now;
    }

    public void Dispose() => _timer.Dispose();

    private static void Tick(WeakReference<CoarseClock> weak)
    {
        if (weak.TryGetTarget(out var clock))
        {
            clock.Refresh();
        }
    }
}
