namespace FederationEgress.Resilience;

/// <summary>
/// Read-only view of per-destination back-off, for the diagnostic report, the CLI and metrics.
/// Implemented by the back-off registered with <c>AddEgressResilience</c>.
/// </summary>
public interface IDestinationHealth
{
    /// <summary>
    /// The state of <paramref name="serverName"/> (case-insensitive; a CONNECT target is named by its
    /// normalized <c>host:port</c>); healthy when nothing is recorded.
    /// </summary>
    DestinationHealthState GetState(string serverName);

    /// <summary>Every destination currently failing or backing off (healthy ones are not tracked).</summary>
    IReadOnlyList<DestinationHealthState> GetUnhealthy();
}
