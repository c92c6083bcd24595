namespace FederationEgress.Hosting;

/// <summary>Request limits of the forwarding listener (configuration section "Limits").</summary>
public sealed class LimitsOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Limits";

    /// <summary>Largest total size of a request's headers, in bytes (Kestrel's default, 32 KiB).</summary>
    public int MaxRequestHeadersTotalSize { get; set; } = 32 * 1024;

    /// <summary>
    /// Largest request body, in bytes. Federation request bodies are JSON (transactions are capped
    /// at 50 PDUs and 100 EDUs), so 100 MiB is far above legitimate use while bounding abuse.
    /// </summary>
    public long MaxRequestBodySize { get; set; } = 100 * 1024 * 1024;

    /// <summary>Requests forwarded at the same time at most; more get 503 M_LIMIT_EXCEEDED.</summary>
    public int MaxConcurrentRequests { get; set; } = 10_000;

    /// <summary>
    /// Requests in flight to one destination server name at most; more get 503 M_LIMIT_EXCEEDED.
    /// Keeps one slow or hostile remote from taking every slot of <see cref="MaxConcurrentRequests"/>.
    /// Synapse sends a destination one transaction at a time, so 256 only bites on abuse.
    /// </summary>
    public int MaxConcurrentRequestsPerDestination { get; set; } = 256;

    /// <summary>
    /// Seconds a client has to send the complete request headers (Kestrel's RequestHeadersTimeout);
    /// a slow-loris client that trickles headers is disconnected after it.
    /// </summary>
    public int RequestHeadersTimeoutSeconds { get; set; } = 30;
}
