namespace FederationEgress.Resilience;

/// <summary>How the proxy currently treats a destination.</summary>
public enum DestinationHealthStatus
{
    /// <summary>No recent connection failure: requests dial normally.</summary>
    Healthy,

    /// <summary>Some consecutive connection failures, fewer than the threshold: requests still dial.</summary>
    Failing,

    /// <summary>In back-off: requests fail fast with 503 until the retry time, then one probe dials.</summary>
    BackingOff,
}
