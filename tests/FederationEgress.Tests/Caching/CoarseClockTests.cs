using FederationEgress.Caching;
using FederationEgress.Testing.Time;

namespace FederationEgress.Tests.Caching;

public sealed class CoarseClockTests
{
    [Fact]
    public void Now_FollowsTheProviderAtEachTick()
    {
        var time = new ManualTimeProvider();
        using var clock = new CoarseClock(time);
        var start = clock.Now;

        time.Advance(CoarseClock.Resolution / 2);
        Assert.Equal(start, clock.Now);

        time.Advance(CoarseClock.Resolution / 2);
        Assert.Equal(time.GetTimestamp(), clock.Now);

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(time.GetTimestamp(), clock.Now);
    }

    [Fact]
    public void Refresh_PublishesTheExactTime()
    {
        var time = new ManualTimeProvider();
        using var clock = new CoarseClock(time);
        time.Advance(CoarseClock.Resolution / 5);

        Assert.Equal(time.GetTimestamp(), clock.Refresh());
        Assert.Equal(time.GetTimestamp(), clock.Now);
    }

    [Fact]
    public void Refresh_WithAnOlderReadingThanPublished_KeepsTheNewerTime()
    {
        // The constructor reads 100, a tick publishes 500, then a caller that read 300 before the tick publishes late.
        var time = new ScriptedTimestamps(100, 500, 300);
        using var clock = new CoarseClock(time);

        Assert.Equal(500, clock.Refresh());
        clock.Refresh();

        Assert.Equal(500, clock.Now);
    }

    [Fact]
    public void Dispose_StopsTheTimer()
    {
        var time = new ManualTimeProvider();
        var clock = new CoarseClock(time);
        var before = clock.Now;

        clock.Dispose();
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(before, clock.Now);
    }

    private sealed class ScriptedTimestamps(params long[] readings) : TimeProvider
    {
        private int _next;

        public override long GetTimestamp() => readings[_next++];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            new ManualTimeProvider().CreateTimer(callback, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }
}
