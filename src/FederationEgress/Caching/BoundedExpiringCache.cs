using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace FederationEgress.Caching;

/// <summary>
/// A bounded concurrent map whose values carry their own expiry. Lookups are a lock-free dictionary
/// read that allocates nothing; the caller compares the expiry itself (so a hit path can stay
/// synchronous). When an insert pushes the count over capacity, one caller sweeps: expired entries
/// go first, then the entries closest to expiry until the count is back to
/// <see cref="TrimTargetFraction"/> of capacity.
/// </summary>
/// <typeparam name="TKey">Key type.</typeparam>
/// <typeparam name="TValue">Value type (a reference type, so reads are atomic).</typeparam>
public sealed class BoundedExpiringCache<TKey, TValue>
    where TKey : notnull
    where TValue : class
{
    /// <summary>After a trim, the cache holds at most this fraction of its capacity.</summary>
    public const double TrimTargetFraction = 0.9;

    private readonly ConcurrentDictionary<TKey, TValue> _map;
    private readonly Func<TValue, long> _expiry;
    private readonly Func<long> _now;
    private readonly int _capacity;
    private int _count;
    private int _trimming;
    private long _evictions;

    /// <param name="capacity">Maximum number of entries kept.</param>
    /// <param name="expiry">The value's expiry, on the same scale as <paramref name="now"/>.</param>
    /// <param name="now">The current time, on the same scale as <paramref name="expiry"/>.</param>
    /// <param name="comparer">Key comparer.</param>
    public BoundedExpiringCache(int capacity, Func<TValue, long> expiry, Func<long> now, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _expiry = expiry;
        _now = now;
        _map = new ConcurrentDictionary<TKey, TValue>(comparer);
    }

    /// <summary>Number of entries (expired ones included until swept).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Entries evicted or swept so far (for diagnostics).</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Reads an entry, expired or not. Allocation-free.</summary>
    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value) => _map.TryGetValue(key, out value);

    /// <summary>Adds or replaces the entry for <paramref name="key"/>; trims when over capacity.</summary>
    public void Set(TKey key, TValue value)
    {
        while (true)
        {
            if (_map.TryGetValue(key, out var existing))
            {
                if (_map.TryUpdate(key, value, existing))
                {
                    return;
                }
            }
            else if (_map.TryAdd(key, value))
            {
                if (Interlocked.Increment(ref _count) > _capacity)
                {
                    Trim();
                }

                return;
            }
        }
    }

    /// <summary>Removes the entry for <paramref name="key"/> only if it is still <paramref name="value"/>.</summary>
    public bool Remove(TKey key, TValue value)
    {
        if (_map.TryRemove(new KeyValuePair<TKey, TValue>(key, value)))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    /// <summary>Replaces the entry for <paramref name="key"/> only if it is still <paramref name="expected"/>.</summary>
    public bool Replace(TKey key, TValue expected, TValue value) => _map.TryUpdate(key, value, expected);

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        foreach (var pair in _map)
        {
            Remove(pair.Key, pair.Value);
        }
    }

    /// <summary>Drops expired entries, then the soonest-expiring ones while above the trim target.</summary>
    public void Trim()
    {
        if (Interlocked.Exchange(ref _trimming, 1) == 1)
        {
            return;
        }

        try
        {
            var now = _now();
            foreach (var pair in _map)
            {
                if (_expiry(pair.Value) <= now && Remove(pair.Key, pair.Value))
                {
                    Interlocked.Increment(ref _evictions);
                }
            }

            var target = (int)(_capacity * TrimTargetFraction);
            var excess = Count - target;
            if (excess <= 0)
            {
                return;
            }

            var victims = _map.ToArray();
            Array.Sort(victims, (a, b) => _expiry(a.Value).CompareTo(_expiry(b.Value)));
            for (var i = 0; i < victims.Length && excess > 0; i++)
            {
                if (Remove(victims[i].Key, victims[i].Value))
                {
                    Interlocked.Increment(ref _evictions);
                    excess--;
                }
            }
        }
        finally
        {
            Volatile.Write(ref _trimming, 0);
        }
    }
}
