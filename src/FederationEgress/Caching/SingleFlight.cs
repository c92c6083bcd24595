using System.Collections.Concurrent;

namespace FederationEgress.Caching;

/// <summary>
/// Runs at most one operation per key at a time; concurrent callers for the same key share its
/// result. The operation runs with its own cancellation (not the first caller's), so one caller
/// giving up does not fail the others; each caller's own token only stops its wait.
/// </summary>
/// <typeparam name="TKey">Key type (server name, DNS question, URL).</typeparam>
/// <typeparam name="TValue">Result type.</typeparam>
public sealed class SingleFlight<TKey, TValue>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Lazy<Task<TValue>>> _inFlight;

    public SingleFlight(IEqualityComparer<TKey>? comparer = null)
    {
        _inFlight = new ConcurrentDictionary<TKey, Lazy<Task<TValue>>>(comparer);
    }

    /// <summary>Number of operations currently running (for diagnostics and tests).</summary>
    public int InFlightCount => _inFlight.Count;

    /// <summary>
    /// Returns the running operation for <paramref name="key"/>, or starts <paramref name="operation"/>.
    /// </summary>
    public Task<TValue> RunAsync<TState>(TKey key, TState state, Func<TKey, TState, Task<TValue>> operation, CancellationToken cancellationToken = default)
    {
        var created = new Lazy<Task<TValue>>(() => Start(key, state, operation), LazyThreadSafetyMode.ExecutionAndPublication);
        var lazy = _inFlight.GetOrAdd(key, created);
        var task = lazy.Value;
        return cancellationToken.CanBeCanceled && !task.IsCompleted ? task.WaitAsync(cancellationToken) : task;
    }

    private async Task<TValue> Start<TState>(TKey key, TState state, Func<TKey, TState, Task<TValue>> operation)
    {
        try
        {
            // Yield so the entry is published before the operation can complete and remove it.
            await Task.Yield();
            return await operation(key, state).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }
}
