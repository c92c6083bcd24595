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
}
