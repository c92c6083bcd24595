namespace FederationEgress.Resilience;

/// <summary>
/// Per-destination back-off after repeated connection-establishment failures (configuration
/// section "Backoff"). Defaults are short on purpose: the homeservers behind the proxy already
/// back off per destination themselves (Synapse: 10 min doubling up to days), so the proxy only has
/// to stop a burst of requests from dialling a dead server again and again.
/// </summary>
public sealed class BackoffOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Backoff";

    /// <summary>False turns the feature off: every request dials.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Consecutive connection-establishment failures (every endpoint failed) before back-off engages.</summary>
    public int FailureThreshold { get; set; } = 3;

    /// <summary>First back-off interval (seconds).</summary>
    public double InitialSeconds { get; set; } = 5;

    /// <summary>Factor applied to the interval each time a probe fails.</summary>
    public double Multiplier { get; set; } = 2;

    /// <summary>Longest back-off interval (seconds).</summary>
    public double MaxSeconds { get; set; } = 600;

    /// <summary>Relative jitter of each interval (0.1 = ±10 %), so many destinations do not probe in lock-step.</summary>
    public double JitterFraction { get; set; } = 0.1;

    /// <summary>
    /// Destinations tracked at most (failing or backed off). When full, further failing destinations
    /// are not tracked (they are never blocked) until entries expire.
    /// </summary>
    public int MaxTrackedDestinations { get; set; } = 100_000;
}
