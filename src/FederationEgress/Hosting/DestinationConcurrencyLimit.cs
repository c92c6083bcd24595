using Microsoft.Extensions.Options;

namespace FederationEgress.Hosting;

/// <summary>
/// Caps requests in flight per destination server name (Limits:MaxConcurrentRequestsPerDestination).
/// Only destinations with a request in flight have an entry, so the table stays as small as the
/// concurrency itself whatever names clients send.
/// </summary>
public sealed class DestinationConcurrencyLimit
{
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.OrdinalIgnoreCase);
    private readonly int _max;

    public DestinationConcurrencyLimit(IOptions<LimitsOptions> options)
    {
        _max = options.Value.MaxConcurrentRequestsPerDestination;
    }

    /// <summary>The configured maximum per destination.</summary>
    public int Max => _max;

    /// <summary>Takes a slot for <paramref name="destination"/>; false when it already has <see cref="Max"/> requests in flight.</summary>
    public bool TryAcquire(string destination)
    {
        lock (_inFlight)
        {
            _inFlight.TryGetValue(destination, out var count);
            if (count >= _max)
            {
                return false;
            }

            _inFlight[destination] = count + 1;
            return true;
        }
    }

    /// <summary>Gives back a slot taken by <see cref="TryAcquire"/>.</summary>
    public void Release(string destination)
    {
        lock (_inFlight)
        {
            if (_inFlight.TryGetValue(destination, out var count))
            {
                if (count <= 1)
                {
                    _inFlight.Remove(destination);
                }
                else
                {
                    _inFlight[destination] = count - 1;
                }
            }
        }
    }
}
