namespace FederationEgress.Resilience;

/// <summary>Graceful shutdown (configuration section "Shutdown").</summary>
public sealed class ShutdownOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Shutdown";

    /// <summary>
    /// How long requests in flight when shutdown begins may take to finish (long streams included)
    /// before their connections are closed.
    /// </summary>
    public double DrainTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Pause between readiness turning false and the listener closing, while load balancers stop
    /// sending new connections. 0 by default: on Kubernetes ≥ 1.30 use the pod's native
    /// <c>preStop: sleep</c> instead (the image has no shell); set this on older clusters.
    /// </summary>
    public double DelaySeconds { get; set; }
}
