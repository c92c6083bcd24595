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
    public void Dispose_StopsTheTimer()
    {
        var time = new ManualTimeProvider();
        var clock = new CoarseClock(time);
        var before = clock.Now;

        clock.Dispose();
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(before, clock.Now);
    }
}
