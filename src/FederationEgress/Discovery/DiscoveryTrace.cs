namespace FederationEgress.Discovery;

/// <summary>Collects <see cref="DiscoveryTraceStep"/>s while a diagnostic resolution runs (thread-safe: lookups run in parallel).</summary>
internal sealed class DiscoveryTrace
{
    private readonly List<DiscoveryTraceStep> _steps = [];

    public void Add(DiscoveryTraceStep step)
    {
        lock (_steps)
        {
            _steps.Add(step);
        }
    }

    public IReadOnlyList<DiscoveryTraceStep> Steps
    {
        get
        {
            lock (_steps)
            {
                return _steps.ToArray();
            }
        }
    }
}
