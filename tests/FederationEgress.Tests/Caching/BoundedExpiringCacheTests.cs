using FederationEgress.Caching;

namespace FederationEgress.Tests.Caching;

public sealed class BoundedExpiringCacheTests
{
    private long _now;

    [Fact]
    public void Set_OverCapacity_SweepsExpiredEntriesFirst()
    {
        var cache = NewCache(capacity: 4);
        cache.Set("expired-1", new Entry(5));
        cache.Set("expired-2", new Entry(6));
        cache.Set("live-1", new Entry(500));
        cache.Set("live-2", new Entry(400));
        _now = 10;

        cache.Set("live-3", new Entry(300));

        Assert.Equal(3, cache.Count);
        Assert.False(cache.TryGetValue("expired-1", out _));
        Assert.False(cache.TryGetValue("expired-2", out _));
        Assert.True(cache.TryGetValue("live-3", out _));
    }

    [Fact]
    public void Set_OverCapacityWithNothingExpired_EvictsTheSoonestToExpire()
    {
        var cache = NewCache(capacity: 10);
        for (var i = 0; i < 10; i++)
        {
            cache.Set($"k{i}", new Entry(100 + i));
        }

        cache.Set("late", new Entry(1_000));

        Assert.Equal(9, cache.Count); // trimmed to 90 % of capacity
        Assert.False(cache.TryGetValue("k0", out _));
        Assert.False(cache.TryGetValue("k1", out _));
        Assert.True(cache.TryGetValue("k9", out _));
        Assert.True(cache.TryGetValue("late", out _));
        Assert.Equal(2, cache.Evictions);
    }

    [Fact]
    public void Set_ExistingKey_ReplacesWithoutGrowing()
    {
        var cache = NewCache(capacity: 2);
        cache.Set("a", new Entry(10));
        var replacement = new Entry(20);

        cache.Set("a", replacement);

        Assert.Equal(1, cache.Count);
        Assert.True(cache.TryGetValue("a", out var value));
        Assert.Same(replacement, value);
    }

    [Fact]
    public void Replace_OnlyWhenStillTheExpectedValue()
    {
        var cache = NewCache(capacity: 2);
        var first = new Entry(10);
        cache.Set("a", first);
        cache.Set("a", new Entry(11));

        Assert.False(cache.Replace("a", first, new Entry(12)));
        Assert.True(cache.TryGetValue("a", out var value));
        Assert.Equal(11, value.Expires);
    }

    [Fact]
    public void Remove_KeepsTheCountRight()
    {
        var cache = NewCache(capacity: 5);
        var a = new Entry(10);
        cache.Set("a", a);
        cache.Set("b", new Entry(10));

        Assert.True(cache.Remove("a", a));
        Assert.False(cache.Remove("a", a));
        cache.Clear();

        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Set_ConcurrentWriters_StayWithinCapacity()
    {
        var cache = NewCache(capacity: 100);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 2_000; i++)
            {
                cache.Set($"{t}-{i}", new Entry(1_000 + i));
            }
        })));
        cache.Trim();

        Assert.InRange(cache.Count, 1, 100);
    }

    private BoundedExpiringCache<string, Entry> NewCache(int capacity) =>
        new(capacity, static e => e.Expires, () => _now, StringComparer.Ordinal);

    private sealed record Entry(long Expires);
}
