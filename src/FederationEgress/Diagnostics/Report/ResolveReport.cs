namespace FederationEgress.Diagnostics.Report;

/// <summary>
/// The operator-facing resolve report (<c>GET /_egress/v1/resolve/{serverName}</c>, <c>resolve</c>
/// CLI), serialized with <see cref="DiagnosticJson"/>: every discovery step with its inputs and
/// results, the final Host header / TLS name / endpoints, the cache state and, on request, a TLS
/// check of each endpoint.
/// </summary>
public sealed record ResolveReport
{
    /// <summary>The server name as asked (after percent-decoding, before IDNA conversion).</summary>
    public required string ServerName { get; init; }

    /// <summary>"resolved" or "failed".</summary>
    public required string Outcome { get; init; }

    /// <summary>When the resolution started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>How long the resolution took, in milliseconds (TLS checks excluded).</summary>
    public required double DurationMs { get; init; }

    /// <summary>"hit" (answered from the resolution cache), "miss" (resolved and cached) or "bypass" (<c>fresh=true</c>: caches neither read nor written).</summary>
    public required string Cache { get; init; }

    /// <summary>Every step tried, in order.</summary>
    public required IReadOnlyList<ResolveReportStep> Steps { get; init; }

    /// <summary>The result when discovery succeeded.</summary>
    public ResolveReportResult? Result { get; init; }

    /// <summary>The failure when discovery failed.</summary>
    public ResolveReportError? Error { get; init; }

    /// <summary>The well-known cache entry of the host after the resolution, if any.</summary>
    public ResolveReportWellKnownCache? WellKnownCache { get; init; }

    /// <summary>One TLS check per endpoint, when asked for (<c>connect=true</c> / <c>--connect</c>).</summary>
    public IReadOnlyList<EndpointTlsCheck>? TlsChecks { get; init; }
}
