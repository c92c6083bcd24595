namespace FederationEgress.Diagnostics;

/// <summary>
/// The sizes behind one observable cache-entries instrument: registered caches (read at collection,
/// held weakly so a disposed host's cache drops out) plus pushed deltas.
/// </summary>
internal sealed class CacheSizeSources
{
    private readonly List<WeakReference<Func<long>>> _sources = [];
    private long _pushed;

    public void Register(Func<long> count)
    {
        ArgumentNullException.ThrowIfNull(count);
        lock (_sources)
        {
            _sources.RemoveAll(w => !w.TryGetTarget(out _));
            _sources.Add(new WeakReference<Func<long>>(count));
        }
    }

    public void Add(long delta) => Interlocked.Add(ref _pushed, delta);

    public long Observe()
    {
        var total = Interlocked.Read(ref _pushed);
        lock (_sources)
        {
            foreach (var weak in _sources)
            {
                if (weak.TryGetTarget(out var count))
                {
                    total += count();
                }
            }
        }

        return total;
    }
}
