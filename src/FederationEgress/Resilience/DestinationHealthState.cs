using FederationEgress.Errors;

namespace FederationEgress.Resilience;

/// <summary>A destination's back-off state, for the diagnostic report and the CLI.</summary>
/// <param name="ServerName">The destination server name.</param>
/// <param name="Status">Healthy, failing (below the threshold) or backing off.</param>
/// <param name="ConsecutiveFailures">Connection-establishment failures since the last response.</param>
/// <param name="Interval">The current back-off interval (null unless backing off).</param>
/// <param name="RetryAt">When the next probe may dial (null unless backing off).</param>
/// <param name="BackingOffSince">When back-off engaged (null unless backing off).</param>
/// <param name="LastFailureAt">When the last connection failure happened (null when healthy).</param>
/// <param name="LastError">The last connection failure (null when healthy).</param>
public sealed record DestinationHealthState(
    string ServerName,
    DestinationHealthStatus Status,
    int ConsecutiveFailures,
    TimeSpan? Interval,
    DateTimeOffset? RetryAt,
    DateTimeOffset? BackingOffSince,
    DateTimeOffset? LastFailureAt,
    EgressError? LastError)
{
    /// <summary>The state of a destination with no recorded failure.</summary>
    public static DestinationHealthState Healthy(string serverName) =>
        new(serverName, DestinationHealthStatus.Healthy, 0, null, null, null, null, null);
}
